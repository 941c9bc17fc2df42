using ReleaseBoard.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddReleaseBoardStore();
builder.AddReleaseBoardFeatures();

var app = builder.Build();
await app.UseReleaseBoardAsync();
await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
