using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// Two instances, one TV: a wall through HAProxy stays on its instance; when that instance is killed it moves to the
/// other by itself and shows live figures again within 10 s.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class FailoverBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_wall_whose_instance_dies_moves_to_the_other_and_is_live_again_within_ten_seconds()
    {
        await using var a = new AppServer();
        await a.StartAsync();
        await using var b = new AppServer(sharesDatabaseWith: a);
        await b.StartAsync();
        await BrowserFixture.AddTeamAsync(a, "failover", daysAgo: 6, "failover-api");
        await using var balancer = new HaproxyBalancer();
        await balancer.StartAsync(a.Port, b.Port);

        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var wall = await context.NewPageAsync();
        await wall.GotoAsync(balancer.BaseUrl + await fixture.DisplayLinkAsync("failover", on: a));
        await BrowserFixture.WaitUntilLiveAsync(wall);
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("6");

        // Affinity: the cookie names the instance, and a reload lands on the same one.
        var served = await InstanceAsync(context);
        await wall.ReloadAsync();
        await BrowserFixture.WaitUntilLiveAsync(wall);
        Assert.Equal(served, await InstanceAsync(context));

        var (dying, surviving) = served == "a" ? (a, b) : (b, a);
        var killed = Stopwatch.StartNew();
        await dying.KillAsync();
        // Unattended: nobody touches the page. It notices, waits for an instance to answer, and reloads onto it.
        await Expect(wall.Locator("html[data-connection=live]"))
            .ToHaveCountAsync(0, new() { Timeout = BrowserFixture.Patience });
        await BrowserFixture.WaitUntilLiveAsync(wall);
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("6");
        var back = killed.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"live again {back.TotalSeconds:F1} s after the kill");
        Assert.NotEqual(served, await InstanceAsync(context));

        // Live figures, not a picture: a catch posted to the survivor shows at once.
        var key = (
            await surviving.RunCommandAsync(null, "apikeys", "create", "--name", "failover-ci", "--team", "failover")
        ).Output.Trim();
        using var pipeline = new HttpClient { BaseAddress = new Uri(surviving.BaseUrl) };
        pipeline.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var posted = await pipeline.PostAsJsonAsync(
            "/api/v1/catches",
            new
            {
                service = "failover-api",
                environment = "staging",
                severity = 2,
                title = "Caught after the failover",
                caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                reportedBy = "qa",
            },
            TestContext.Current.CancellationToken
        );
        Assert.True(posted.IsSuccessStatusCode);
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("0", new() { Timeout = BrowserFixture.Patience });

        Assert.True(
            back <= TimeSpan.FromSeconds(10),
            $"the wall was live again {back.TotalSeconds:F1} s after its instance died\n{balancer.Log}"
        );
        await context.CloseAsync();
    }

    private static async Task<string?> InstanceAsync(Microsoft.Playwright.IBrowserContext context) =>
        (await context.CookiesAsync()).FirstOrDefault(c => c.Name == HaproxyBalancer.Cookie)?.Value;
}
