using BenchmarkDotNet.Running;
using ReleaseBoard.Benchmarks;

// dotnet run -c Release --project tests/ReleaseBoard.Benchmarks -- <what> [arguments], where <what> is:
//   --filter '*'                  BenchmarkDotNet micro-benchmarks
//   ingestion [seconds] [clients] HTTP ingestion load
//   trends [runs]                 trends on 1M deployments
//   gate [seconds] [requests/s]   the promotion gate under polling
//   revocation [runs]             revocation seen by another process
//   wall [catches] [bursts]       a POST to the wall on screen, 1.2 s apart and in bursts of 20
//   delivery [samples]            soak end to dispatch, incident to Slack notification
//   fanout [walls]                one write to 200 open walls; managed memory per wall
//   soak [changes] [walls]        10,000 changes to 50 open walls: memory, circuits, subscribers
//   firstpaint [loads]            navigation to the number on screen and the circuit live
if (args.Length > 0 && args[0] == "ingestion")
    return await IngestionLoad.RunAsync(args);
if (args.Length > 0 && args[0] == "gate")
    return await IngestionLoad.RunGateAsync(args);
if (args.Length > 0 && args[0] == "revocation")
    return await IngestionLoad.RunRevocationAsync(args);
if (args.Length > 0 && args[0] == "wall")
    return await IngestionLoad.RunWallLatencyAsync(args);
if (args.Length > 0 && args[0] == "delivery")
    return await DeliveryLatency.RunAsync(args);
if (args.Length > 0 && args[0] == "fanout")
    return await StaminaLoad.RunFanOutAsync(args);
if (args.Length > 0 && args[0] == "soak")
    return await StaminaLoad.RunSoakAsync(args);
if (args.Length > 0 && args[0] == "firstpaint")
    return await StaminaLoad.RunFirstPaintAsync(args);
if (args.Length > 0 && args[0] == "trends")
    return await TrendsLoad.RunAsync(args);

BenchmarkSwitcher.FromAssembly(typeof(WallQueryBenchmarks).Assembly).Run(args);
return 0;
