using System.Net.Http.Headers;
using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// Two app processes on one SQLite file, as behind a load balancer: a wall on one shows what is posted to the other.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class ScaleOutBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_catch_posted_to_one_instance_shows_on_a_wall_connected_to_the_other()
    {
        await fixture.AddTeamAsync("scale-out", daysAgo: 8);
        var key = (
            await fixture.App.RunCommandAsync(
                null,
                "apikeys",
                "create",
                "--name",
                "scale-out-ci",
                "--team",
                "scale-out"
            )
        ).Output.Trim();
        await using var second = new AppServer(sharesDatabaseWith: fixture.App);
        await second.StartAsync();

        // The TV is connected to the second instance, with a display link stored by the first's database: one store.
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var wall = await context.NewPageAsync();
        await wall.GotoAsync(second.BaseUrl + await fixture.DisplayLinkAsync("scale-out"));
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("8");
        await BrowserFixture.WaitUntilLiveAsync(wall);

        using var pipeline = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        pipeline.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var posted = await pipeline.PostAsJsonAsync(
            "/api/v1/catches",
            new
            {
                service = "scale-out-api",
                environment = "staging",
                severity = 2,
                title = "Caught on the other instance",
                caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                reportedBy = "qa",
            },
            TestContext.Current.CancellationToken
        );
        Assert.True(
            posted.IsSuccessStatusCode,
            await posted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );

        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("0", new() { Timeout = BrowserFixture.Patience });
        await context.CloseAsync();
    }
}
