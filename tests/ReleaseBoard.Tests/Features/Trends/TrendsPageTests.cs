using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Components.Charts;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Features.Trends;

/// <summary>
/// The trends page against a real SQLite store: the series each chart is sent, and filters that update in place.
/// </summary>
public class TrendsPageTests : BunitContext, IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));
    private SqliteTestDatabase _database = null!;
    private BunitJSModuleInterop _charts = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        var team = await _database.AddTeamAsync();
        await using (var db = _database.CreateDbContext())
        {
            for (var day = 1; day <= 60; day++)
            {
                var finished = Now.AddDays(-day);
                var version = $"v{day}";
                db.Deployments.AddRange(
                    new Deployment
                    {
                        ServiceId = team.ServiceId,
                        EnvironmentId = team.StagingId,
                        Version = version,
                        StartedAt = finished.AddHours(-5),
                        FinishedAt = finished.AddHours(-4),
                        Outcome = DeploymentOutcome.Succeeded,
                        Source = "test",
                    },
                    new Deployment
                    {
                        ServiceId = team.ServiceId,
                        EnvironmentId = team.ProductionId,
                        Version = version,
                        CommitAt = finished.AddHours(-8),
                        StartedAt = finished.AddMinutes(-10),
                        FinishedAt = finished,
                        Outcome = day % 9 == 0 ? DeploymentOutcome.RolledBack : DeploymentOutcome.Succeeded,
                        Source = "test",
                    }
                );
                if (day % 9 == 0)
                    db.Deployments.Add(
                        new Deployment
                        {
                            ServiceId = team.ServiceId,
                            EnvironmentId = team.ProductionId,
                            Version = $"v{day + 1}",
                            StartedAt = finished.AddMinutes(5),
                            FinishedAt = finished.AddMinutes(12),
                            Kind = DeploymentKind.Rollback,
                            Outcome = DeploymentOutcome.Succeeded,
                            Source = "test",
                        }
                    );
                if (day % 10 == 0)
                    db.Incidents.Add(
                        new Incident
                        {
                            ServiceId = team.ServiceId,
                            Severity = 2,
                            Title = "Down",
                            ImpactStartedAt = finished.AddHours(1),
                            DetectedAt = finished.AddHours(1),
                            ResolvedAt = finished.AddHours(2),
                            Source = "test",
                        }
                    );
            }
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        await _database.AddCatchAsync(team, Now.AddDays(-20));

        Services.AddMudServices();
        Services.AddSingleton<IDbContextFactory<ReleaseBoardDbContext>>(_database);
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton<TrendEngine>();
        Services.AddSingleton<ReleaseBoard.Web.Features.Catalog.TeamDirectory>();
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        JSInterop.Mode = JSRuntimeMode.Loose; // MudBlazor's own interop
        _charts = JSInterop.SetupModule(ApexChart.ModulePath);
        _charts.SetupVoid("create", _ => true).SetVoidResult();
        _charts.Setup<bool>("update", _ => true).SetResult(true);
        _charts.SetupVoid("destroy", _ => true).SetVoidResult();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<IRenderedComponent<TrendsPage>> OpenAsync(string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/trends" + query);
        var page = Render<TrendsPage>();
        await Eventually.AssertAsync(() => Assert.Equal(11, _charts.Invocations["create"].Count));
        return page;
    }

    private static string[] SeriesNames(JSRuntimeInvocation invocation) =>
        ((JsonElement)invocation.Arguments[3]!)
            .GetProperty("series")
            .EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()!)
            .ToArray();

    [Fact]
    public async Task Each_chart_is_sent_its_series_with_one_point_per_bucket()
    {
        var page = await OpenAsync("?team=payments&range=90d&bucket=week");

        var creates = _charts.Invocations["create"];
        var reliability = creates.Single(c => SeriesNames(c).Contains(TrendCharts.Mtbf));
        Assert.Equal([TrendCharts.Mtbf, TrendCharts.Mttr, TrendCharts.Failures], SeriesNames(reliability));
        var options = (JsonElement)reliability.Arguments[3]!;
        var weeks = options.GetProperty("xaxis").GetProperty("categories").GetArrayLength();
        Assert.InRange(weeks, 13, 15); // 90 days widened to whole weeks
        Assert.All(options.GetProperty("series").EnumerateArray(), s =>
            Assert.Equal(weeks, s.GetProperty("data").GetArrayLength())
        );
        Assert.Contains(creates, c => SeriesNames(c) is ["Days since a catch", "Catch"]);
        Assert.Equal(11, page.FindAll("[data-testid^=card-]").Count);
        Assert.Empty(page.FindAll("[data-testid^=empty-]"));
    }

    [Fact]
    public async Task Changing_a_filter_updates_every_chart_in_place()
    {
        await OpenAsync("?team=payments&range=90d&bucket=week");

        Services.GetRequiredService<NavigationManager>().NavigateTo("/trends?team=payments&range=90d&bucket=month");

        await Eventually.AssertAsync(() => Assert.Equal(11, _charts.Invocations["update"].Count));
        Assert.Equal(11, _charts.Invocations["create"].Count);
        var months = _charts
            .Invocations["update"]
            .Select(u => (JsonElement)u.Arguments[1]!)
            .First(o => o.TryGetProperty("xaxis", out var x) && x.TryGetProperty("categories", out _))
            .GetProperty("xaxis")
            .GetProperty("categories")
            .EnumerateArray()
            .Select(c => c.GetString())
            .ToArray();
        Assert.Equal(["Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"], months);
    }

    [Fact]
    public void A_range_without_data_says_so_instead_of_drawing_zeros()
    {
        Services
            .GetRequiredService<NavigationManager>()
            .NavigateTo("/trends?team=payments&range=custom&from=2020-01-01&to=2020-03-01");
        var page = Render<TrendsPage>();

        page.WaitForAssertion(() =>
            Assert.Equal("No failures in this range.", page.Find("[data-testid=empty-reliability]").TextContent.Trim())
        );
        Assert.Equal(11, page.FindAll("[data-testid^=empty-]").Count);
        Assert.Empty(_charts.Invocations["create"]);
    }

    [Fact]
    public void While_prerendering_nothing_is_computed_yet()
    {
        Renderer.SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        Services.GetRequiredService<NavigationManager>().NavigateTo("/trends?team=payments");

        var page = Render<TrendsPage>();

        Assert.NotEmpty(page.FindAll(".mud-progress-linear"));
        Assert.Empty(page.FindAll("[data-testid^=card-]"));
    }

    [Fact]
    public void Bad_filters_in_the_address_are_explained()
    {
        Services
            .GetRequiredService<NavigationManager>()
            .NavigateTo("/trends?team=payments&range=custom&from=yesterday");
        var page = Render<TrendsPage>();

        page.WaitForAssertion(() => Assert.Contains("ISO date", page.Find("[data-testid=trend-error]").TextContent));
    }

    [Fact]
    public void The_table_view_shows_the_columns_the_CSV_exports()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/trends?team=payments&range=30d&view=table");
        var page = Render<TrendsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=trend-table] tbody tr")));
        var headers = page.FindAll("[data-testid=trend-table] th").Select(h => h.TextContent).ToArray();
        Assert.Equal(TrendTable.Columns.Select(c => c.Header), headers);
    }
}
