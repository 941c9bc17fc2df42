using BenchmarkDotNet.Running;
using ReleaseBoard.Benchmarks;

// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- --filter '*'         (BenchmarkDotNet micro-benchmarks)
// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- ingestion [seconds] [clients]   (HTTP ingestion load)
if (args.Length > 0 && args[0] == "ingestion")
    return await IngestionLoad.RunAsync(args);

BenchmarkSwitcher.FromAssembly(typeof(WallQueryBenchmarks).Assembly).Run(args);
return 0;
