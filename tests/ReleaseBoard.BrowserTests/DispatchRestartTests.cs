using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// Nothing is lost when the app is killed after deciding a dispatch and before the receiver got it: the decision is in
/// the store, and the next process sends it, with the same key. Real processes, a real receiver on loopback.
/// </summary>
public class DispatchRestartTests
{
    [Fact]
    public async Task A_dispatch_decided_before_a_kill_9_is_delivered_after_the_restart_under_one_key()
    {
        var port = ToolProcess.FreePort();
        var url = $"http://127.0.0.1:{port}/promote";
        await using var app = new AppServer(
            environment: new Dictionary<string, string>
            {
                ["Dispatch__FirstRetry"] = "00:00:01",
                ["Dispatch__Timeout"] = "00:00:02",
                ["Dispatch__Lease"] = "00:00:15",
            }
        );
        await app.StartAsync();
        var productionId = await SeedAsync(app);
        var set = await app.RunCommandAsync(
            "a signing secret of the receiver",
            "dispatch",
            "set",
            "--team",
            "restart",
            "--service",
            "restart-api",
            "--environment",
            "production",
            "--url",
            url
        );
        Assert.True(set.ExitCode == 0, set.Error);
        await PassedStagingAsync(app);

        // The receiver is down: the decision is committed and the first attempts fail.
        await WaitForAsync(app, m => m.Attempts >= 1, "the dispatch was queued and tried");
        await app.KillAsync();
        var received = new ConcurrentQueue<string>();
        await using var receiver = await StartReceiverAsync(port, received);
        await app.StartAsync();

        await WaitForAsync(app, m => m.State == OutboxState.Sent, "the restarted app sent it");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        // Once: the attempts before the kill never reached a receiver, and the restarted app sends it one time.
        Assert.Equal([$"dispatch/{productionId}/3.0.0"], received);
    }

    private static async Task<int> SeedAsync(AppServer app)
    {
        await BrowserFixture.AddTeamAsync(app, "restart", daysAgo: 3);
        await using var db = app.Db();
        var production = await db.Environments.SingleAsync(e => e.Service.Slug == "restart-api" && e.IsProduction);
        (production.PromotionMode, production.SoakMinutes) = (PromotionMode.Continuous, 0);
        await db.SaveChangesAsync();
        return production.Id;
    }

    private static async Task PassedStagingAsync(AppServer app)
    {
        await using var db = app.Db();
        var staging = await db.Environments.SingleAsync(e => e.Service.Slug == "restart-api" && e.Name == "staging");
        db.Deployments.Add(BrowserFixture.PassedStaging(staging, "3.0.0", "3.0.0"));
        await db.SaveChangesAsync();
    }

    private static async Task WaitForAsync(AppServer app, Func<OutboxMessage, bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(250))
        {
            await using (var db = app.Db())
                if ((await db.OutboxMessages.AsNoTracking().ToListAsync()).Any(condition))
                    return;
            await Task.Delay(250);
        }
        Assert.Fail($"Waited a minute: {what} did not happen.\n" + string.Join('\n', app.Log.TakeLast(30)));
    }

    private static async Task<WebApplication> StartReceiverAsync(int port, ConcurrentQueue<string> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var receiver = builder.Build();
        receiver.MapPost("/promote", (HttpRequest request) =>
        {
            received.Enqueue(request.Headers["Idempotency-Key"].ToString());
            return Results.Ok();
        });
        await receiver.StartAsync();
        return receiver;
    }
}
