using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.DemoData;

public class DemoDataSeederTests
{
    [Fact]
    public async Task The_first_start_on_an_empty_database_seeds_a_labelled_year_of_history()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: true);
        _ = app.Server; // starts the app: migrations, then the demo seed

        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        var teams = await db.Teams.ToListAsync(TestContext.Current.CancellationToken);
        Assert.InRange(teams.Count, 2, 3);
        Assert.All(teams, t => Assert.True(t.IsDemo));

        var oldest = await db.Deployments.MinAsync(d => d.FinishedAt, TestContext.Current.CancellationToken);
        Assert.True(DateTime.UtcNow - oldest > TimeSpan.FromDays(330), "about twelve months of history");
        Assert.True(
            await db.Deployments.CountAsync(
                d => d.Outcome == DeploymentOutcome.Failed,
                TestContext.Current.CancellationToken
            ) > 0
        );
        Assert.True(
            await db.Deployments.CountAsync(
                d => d.Kind == DeploymentKind.Rollback,
                TestContext.Current.CancellationToken
            ) > 0
        );
        Assert.True(await db.Incidents.CountAsync(TestContext.Current.CancellationToken) > 20);
        Assert.True(await db.Catches.CountAsync(TestContext.Current.CancellationToken) > 20);

        var productionModes = await db
            .Environments.Where(e => e.IsProduction)
            .Select(e => e.PromotionMode)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, productionModes.Count(m => m == PromotionMode.Continuous));
        Assert.Equal(1, productionModes.Count(m => m == PromotionMode.Paused));
        Assert.Contains(PromotionMode.Manual, productionModes);
    }

    [Fact]
    public async Task Removing_demo_data_keeps_real_teams_and_a_restart_does_not_bring_it_back()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: true);
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            db.Teams.Add(
                new Team
                {
                    Slug = "real",
                    Name = "Real team",
                    TimeZoneId = "Europe/Paris",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var seeder = app.Services.GetRequiredService<DemoDataSeeder>();

        await seeder.RemoveAsync(AuditActor.AnonymousUser, TestContext.Current.CancellationToken);
        await seeder.SeedIfEmptyAsync(TestContext.Current.CancellationToken);

        await using (var db = await dbFactory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal("real", Assert.Single(await db.Teams.ToListAsync(TestContext.Current.CancellationToken)).Slug);
            Assert.Equal(0, await db.Deployments.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Catches.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Incidents.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Environments.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(
                "demo-data.removed",
                (await db.AuditEntries.SingleAsync(TestContext.Current.CancellationToken)).Action
            );
        }
        Assert.Equal(
            new DemoDataSummary(0, 0, 0, 0),
            await seeder.GetSummaryAsync(TestContext.Current.CancellationToken)
        );
    }

    [Fact]
    public async Task After_removal_an_empty_database_is_not_seeded_again()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: true);
        var seeder = app.Services.GetRequiredService<DemoDataSeeder>();
        await seeder.RemoveAsync(AuditActor.AnonymousUser, TestContext.Current.CancellationToken);

        await seeder.SeedIfEmptyAsync(TestContext.Current.CancellationToken);

        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.Teams.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Demo_data_can_be_turned_off_in_configuration()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: false);

        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.Teams.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void The_generator_is_deterministic_for_a_seed()
    {
        var now = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
        var first = new DemoDataGenerator(7);
        var second = new DemoDataGenerator(7);
        first.Generate(now);
        second.Generate(now);

        Assert.Equal(
            first.DemoCatches.Select(c => (c.Title, c.CaughtAt)),
            second.DemoCatches.Select(c => (c.Title, c.CaughtAt))
        );
        Assert.Equal(first.DemoDeployments.Count, second.DemoDeployments.Count);
        Assert.All(first.DemoDeployments, d => Assert.True(d.FinishedAt < now));
    }
}
