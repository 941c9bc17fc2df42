using BenchmarkDotNet.Running;
using ReleaseBoard.Benchmarks;

// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- --filter '*'         (BenchmarkDotNet micro-benchmarks)
// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- ingestion [seconds] [clients]   (HTTP ingestion load)
// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- trends [runs]                    (trends on 1M deployments)
// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- gate [seconds] [requests/s]       (promotion gate under polling)
if (args.Length > 0 && args[0] == "ingestion")
    return await IngestionLoad.RunAsync(args);
if (args.Length > 0 && args[0] == "gate")
    return await IngestionLoad.RunGateAsync(args);
if (args.Length > 0 && args[0] == "trends")
    return await TrendsLoad.RunAsync(args);

BenchmarkSwitcher.FromAssembly(typeof(WallQueryBenchmarks).Assembly).Run(args);
return 0;
