using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ReleaseBoard.Benchmarks.WallQueryBenchmarks).Assembly).Run(args);
