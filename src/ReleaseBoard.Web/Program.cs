using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Operations.CommandLine;
using ReleaseBoard.Web.Infrastructure;

// `ReleaseBoard.Web users create …` and the other operator commands run and exit; anything else serves the app.
if (ReleaseBoardCommandLine.Handles(args))
    return await ReleaseBoardCommandLine.RunAsync(args, Console.In, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

builder.AddReleaseBoardTransport();
builder.AddReleaseBoardStore();
builder.AddReleaseBoardAccess();
builder.AddReleaseBoardFeatures();
builder.AddReleaseBoardTelemetry();

var app = builder.Build();
await app.UseReleaseBoardAsync();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
