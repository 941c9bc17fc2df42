using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ReleaseBoard.Data.Entities;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>A receiver on loopback (port 0) for dispatches and notifications: every request, with its key.</summary>
public sealed class DeliveryReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string Key, string Body);

    private WebApplication _app = null!;
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Received> All => [.. Requests];

    public static async Task<DeliveryReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new DeliveryReceiver { _app = builder.Build() };
        receiver._app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            receiver.Requests.Enqueue(
                new Received(
                    request.Path.ToString(),
                    request.Headers["Idempotency-Key"].ToString(),
                    await reader.ReadToEndAsync()
                )
            );
            return Results.Ok();
        });
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver
            ._app.Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return receiver;
    }

    public async Task<Received> WaitForAsync(Func<Received, bool> match, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(200))
        {
            if (All.FirstOrDefault(match) is { } found)
                return found;
            await Task.Delay(200);
        }
        throw new TimeoutException(
            $"Waited a minute: {what} did not arrive. Got: {string.Join(", ", All.Select(r => r.Path))}"
        );
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

[Collection(nameof(BrowserCollection))]
public class DeliveryBrowserTests(BrowserFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_sets_a_Slack_target_and_a_dispatch_and_an_incident_reach_the_receivers()
    {
        await fixture.AddTeamAsync("deliver", daysAgo: 4);
        await using (var db = fixture.App.Db())
        {
            var production = await db.Environments.SingleAsync(
                e => e.Service.Slug == "deliver-api" && e.IsProduction,
                Ct
            );
            (production.PromotionMode, production.SoakMinutes) = (PromotionMode.Continuous, 0);
            await db.SaveChangesAsync(Ct);
        }
        await using var receiver = await DeliveryReceiver.StartAsync();
        var set = await fixture.App.RunCommandAsync(
            "a signing secret of the receiver",
            "dispatch",
            "set",
            "--team",
            "deliver",
            "--service",
            "deliver-api",
            "--environment",
            "production",
            "--url",
            receiver.BaseUrl + "/promote"
        );
        Assert.True(set.ExitCode == 0, set.Error);

        var admin = await fixture.OpenAsync("/admin/notifications", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(admin);
        await admin.GetByTestId("notification-team").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "deliver", Exact = true }).ClickAsync();
        await admin.GetByTestId("notification-name").FillAsync("#deliver-releases");
        await admin.GetByTestId("notification-url").FillAsync(receiver.BaseUrl + "/services/T0/B0/sekrit");
        await admin.GetByTestId("notification-add").ClickAsync();
        await Expect(admin.GetByTestId("notifications-done")).ToContainTextAsync("Target added");
        var targets = admin.GetByTestId("notification-targets");
        await Expect(targets).ToContainTextAsync("#deliver-releases");
        await Expect(targets).Not.ToContainTextAsync("sekrit");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Send a test" }).Last.ClickAsync();
        await Expect(admin.GetByTestId("notifications-done")).ToContainTextAsync("answered HTTP 200");
        var test = await receiver.WaitForAsync(r => r.Path == "/services/T0/B0/sekrit", "the test message");
        Assert.Equal(
            "ReleaseBoard test message for #deliver-releases",
            (string)JsonNode.Parse(test.Body)!["blocks"]![0]!["text"]!["text"]!
        );
        await admin.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "admin-notifications.png"), FullPage = true }
        );

        // A version passes staging: ReleaseBoard starts production's promotion, and the pipelines page says so.
        await using (var db = fixture.App.Db())
        {
            var staging = await db.Environments.SingleAsync(
                e => e.Service.Slug == "deliver-api" && e.Name == "staging",
                Ct
            );
            db.Deployments.Add(BrowserFixture.PassedStaging(staging, "7.1.0", "deliver-7.1.0"));
            await db.SaveChangesAsync(Ct);
        }
        var dispatch = await receiver.WaitForAsync(r => r.Path == "/promote", "the dispatch");
        Assert.EndsWith("/7.1.0", dispatch.Key);
        await admin.GotoAsync(fixture.App.BaseUrl + "/pipelines?team=deliver");
        await Expect(admin.GetByTestId("stage-deliver-api-production").GetByTestId("dispatch"))
            .ToContainTextAsync("7.1.0 dispatched", new() { Timeout = BrowserFixture.Patience });

        // An incident pauses production, and the channel hears of it.
        var key = (
            await fixture.App.RunCommandAsync(null, "apikeys", "create", "--name", "deliver-pd", "--team", "deliver")
        ).Output.Trim();
        using var tool = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        tool.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var posted = await tool.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "deliver-api",
                severity = 1,
                title = "Payments time out",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            },
            Ct
        );
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync(Ct));
        var paused = await receiver.WaitForAsync(
            r => r.Path == "/services/T0/B0/sekrit" && r.Body.Contains("paused by an incident"),
            "the pause notification"
        );
        Assert.Contains("Payments time out", paused.Body);
        await Expect(admin.GetByTestId("stage-deliver-api-production"))
            .ToContainTextAsync("Paused", new() { Timeout = BrowserFixture.Patience });
    }
}

/// <summary>
/// Two app processes on one SQLite file, both scanning, watching and sending: every dispatch and every notification
/// reaches the receiver once, whichever instance decided or sent it.
/// </summary>
public class OutboxScaleOutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_on_one_database_deliver_each_dispatch_and_notification_once()
    {
        await using var receiver = await DeliveryReceiver.StartAsync();
        await using var first = new AppServer();
        await first.StartAsync();
        string[] services = ["race-a", "race-b", "race-c", "race-d"];
        await BrowserFixture.AddTeamAsync(first, "race", daysAgo: 2, services);
        await BrowserFixture.AddTeamAsync(first, "quiet", daysAgo: 2);
        await using (var db = first.Db())
        {
            foreach (var production in await db.Environments.Where(e => e.IsProduction).ToListAsync(Ct))
                (production.PromotionMode, production.SoakMinutes) = (PromotionMode.Continuous, 0);
            await db.SaveChangesAsync(Ct);
        }
        foreach (var service in services)
        {
            string[] where = ["--team", "race", "--service", service, "--environment", "production"];
            var set = await first.RunCommandAsync(
                "a signing secret of the receiver",
                ["dispatch", "set", .. where, "--url", receiver.BaseUrl + "/promote"]
            );
            Assert.True(set.ExitCode == 0, set.Error);
        }
        var notify = await first.RunCommandAsync(
            receiver.BaseUrl + "/notify",
            ["notify", "add", "--kind", "json", "--name", "#all"]
        );
        Assert.True(notify.ExitCode == 0, notify.Error);
        await using var second = new AppServer(sharesDatabaseWith: first);
        await second.StartAsync();

        // Four versions pass staging and three freezes of the quiet team start and end, with both instances running.
        var now = DateTime.UtcNow;
        await using (var db = first.Db())
        {
            foreach (
                var staging in await db
                    .Environments.Where(e => e.Name == "staging" && e.Service.Team.Slug == "race")
                    .ToListAsync(Ct)
            )
                db.Deployments.Add(BrowserFixture.PassedStaging(staging, "5.0.0", $"race-{staging.Id}"));
            var quiet = await db.Teams.SingleAsync(t => t.Slug == "quiet", Ct);
            for (var i = 0; i < 3; i++)
                db.Freezes.Add(
                    new Freeze
                    {
                        TeamId = quiet.Id,
                        StartsAt = now.AddSeconds(2),
                        EndsAt = now.AddSeconds(8),
                        Reason = $"freeze {i}",
                        CreatedAt = now,
                        CreatedBy = "test",
                    }
                );
            await db.SaveChangesAsync(Ct);
        }

        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(250))
        {
            var quietNotices = receiver.All.Count(r => r.Path == "/notify" && r.Body.Contains("\"team\":\"quiet\""));
            if (receiver.All.Count(r => r.Path == "/promote") >= 4 && quietNotices >= 6)
                break;
            await Task.Delay(250, Ct);
        }
        // Long enough for a duplicate to show: several scan, watch and send rounds of both instances.
        await Task.Delay(TimeSpan.FromSeconds(6), Ct);

        var dispatches = receiver.All.Where(r => r.Path == "/promote").Select(r => r.Key).ToList();
        Assert.Equal(4, dispatches.Count);
        Assert.Equal(4, dispatches.Distinct().Count());
        var delivered = receiver.All.Where(r => r.Path == "/notify").Select(r => JsonNode.Parse(r.Body)!).ToList();
        // Every notice once, whatever else the demo teams had to say today (a record beaten, say).
        Assert.Equal(delivered.Count, delivered.Select(n => (string)n["idempotencyKey"]!).Distinct().Count());
        var notices = delivered
            .Where(n => (string?)n["team"] == "quiet")
            .Select(n => (string)n["event"]! + " " + (string)n["text"]!)
            .Order()
            .ToList();
        Assert.Equal(6, notices.Count);
        Assert.Equal(3, notices.Count(n => n.StartsWith("freeze-started No promotion until it ends: freeze")));
        Assert.Equal(3, notices.Count(n => n.StartsWith("freeze-ended It ran its time")));
        Assert.Equal(3, notices.Where(n => n.StartsWith("freeze-started")).Distinct().Count());
        await using var check = first.Db();
        Assert.Equal(
            6,
            await check.AuditEntries.CountAsync(a => a.Action == "freeze.started" || a.Action == "freeze.ended", Ct)
        );
    }
}
