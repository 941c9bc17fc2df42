using ReleaseBoard.Web;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Admin;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Incidents;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Features.Operations.CommandLine;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

// `ReleaseBoard.Web users create …` and the other operator commands run and exit; anything else serves the app.
if (ReleaseBoardCommandLine.Handles(args))
    return await ReleaseBoardCommandLine.RunAsync(args, Console.In, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

builder.AddReleaseBoardTransport();
builder.AddReleaseBoardStore();
builder.AddReleaseBoardAccess();
builder.AddReleaseBoardUi();
builder.AddReleaseBoardApi();
builder.AddCatalog();
builder.AddTrends();
builder.AddWall();
builder.AddCatches();
builder.AddWindows();
builder.AddPromotion();
builder.AddDispatch();
builder.AddNotifications();
builder.AddIngestion();
builder.AddIncidents();
builder.AddAdmin();
builder.AddDemoData();
builder.AddReleaseBoardTelemetry();

var app = builder.Build();
await app.PrepareAsync();
app.UseReleaseBoardPipeline();
app.MapReleaseBoard();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
