using BenchmarkDotNet.Running;
using ReleaseBoard.Benchmarks;

// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- --filter '*'         (BenchmarkDotNet
// micro-benchmarks) dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- ingestion [seconds] [clients]
// (HTTP ingestion load) dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- trends [runs]
// (trends on 1M deployments) dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- gate [seconds]
// [requests/s]       (promotion gate under polling) dotnet run -c Release --project tests/ReleaseBoard.Benchmarks --
// revocation [runs]                (revocation by another process) dotnet run -c Release --project
// tests/ReleaseBoard.Benchmarks -- wall [catches]                   (POST to the wall on screen)
if (args.Length > 0 && args[0] == "ingestion")
    return await IngestionLoad.RunAsync(args);
if (args.Length > 0 && args[0] == "gate")
    return await IngestionLoad.RunGateAsync(args);
if (args.Length > 0 && args[0] == "revocation")
    return await IngestionLoad.RunRevocationAsync(args);
if (args.Length > 0 && args[0] == "wall")
    return await IngestionLoad.RunWallLatencyAsync(args);
if (args.Length > 0 && args[0] == "trends")
    return await TrendsLoad.RunAsync(args);

BenchmarkSwitcher.FromAssembly(typeof(WallQueryBenchmarks).Assembly).Run(args);
return 0;
