using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

[Collection(nameof(BrowserCollection))]
public class WallBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_wall_shows_the_number_and_its_caption()
    {
        await fixture.AddTeamAsync("wall-shows", daysAgo: 5);
        var address = await fixture.DisplayLinkAsync("wall-shows");
        var token = address[(address.IndexOf('#') + 1)..];
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url + " " + request.PostData);

        await page.GotoAsync(fixture.App.BaseUrl + address);

        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("5");
        // the token never goes over HTTP
        Assert.DoesNotContain(requests, r => r.Contains(token, StringComparison.Ordinal));
        await Expect(page.GetByTestId("caption"))
            .ToContainTextAsync("days since we were really glad we didn't deploy live");
        await BrowserFixture.WaitUntilLiveAsync(page);
    }

    [Fact]
    public async Task A_catch_recorded_through_the_form_turns_every_open_wall_to_0_live()
    {
        await fixture.AddTeamAsync("wall-resets", daysAgo: 9);
        var walls = new[]
        {
            await fixture.OpenAsync(await fixture.DisplayLinkAsync("wall-resets")),
            await fixture.OpenAsync("/wall/wall-resets", 1280, 720, signedInAs: "Viewer"),
        };
        foreach (var wall in walls)
        {
            await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("9");
            await BrowserFixture.WaitUntilLiveAsync(wall);
        }

        var form = await fixture.OpenAsync("/catches/new?team=wall-resets", 1280, 900, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(form);
        await form.GetByTestId("title").FillAsync("Refund rounds to the wrong currency unit");
        await form.GetByTestId("reported-by").FillAsync("Dara");
        await form.GetByTestId("submit").ClickAsync();

        // Every wall is watched at once, from the click on. How fast is measured by the benchmarks (`wall`); here a
        // generous wait only proves it happens without a reload.
        await Task.WhenAll(
            walls.Select(wall =>
                Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("0", new() { Timeout = BrowserFixture.Patience })
            )
        );
        await Expect(form.GetByTestId("recorded")).ToContainTextAsync("now shows 0 days");
        foreach (var wall in walls)
            await Expect(wall.GetByTestId("last-catch")).ToContainTextAsync("Refund rounds to the wrong currency unit");
    }

    [Fact]
    public async Task A_catch_for_one_service_of_a_team_with_several_is_recorded_against_the_chosen_service()
    {
        await fixture.AddTeamAsync("wall-services", 6, "identity", "notifications");
        var wall = await fixture.OpenAsync(await fixture.DisplayLinkAsync("wall-services"));
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("6");
        await BrowserFixture.WaitUntilLiveAsync(wall);
        var form = await fixture.OpenAsync("/catches/new?team=wall-services", 1280, 900, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(form);

        await form.GetByTestId("service").ClickAsync();
        await form.GetByRole(AriaRole.Option, new() { Name = "notifications" }).ClickAsync();
        // The stage before production is preselected: a MudSelect shows its value as text beside the input.
        await Expect(form.Locator(".mud-select").Filter(new() { HasText = "Caught in" }).First)
            .ToContainTextAsync("staging");
        await form.GetByTestId("title").FillAsync("Push notifications sent twice");
        await form.GetByTestId("reported-by").FillAsync("Goran");
        await form.GetByTestId("submit").ClickAsync();
        await Expect(form.GetByTestId("recorded")).ToBeVisibleAsync();

        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("0", new() { Timeout = BrowserFixture.Patience });
        await Expect(wall.GetByTestId("last-catch"))
            .ToContainTextAsync("“Push notifications sent twice” · notifications · staging");
    }

    [Fact]
    public async Task A_severity_4_catch_is_recorded_and_the_form_says_the_wall_did_not_reset()
    {
        await fixture.AddTeamAsync("wall-minor", daysAgo: 8);
        var form = await fixture.OpenAsync("/catches/new?team=wall-minor", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(form);

        await form.GetByTestId("severity").ClickAsync();
        await form.GetByRole(AriaRole.Option, new() { Name = "4 — minor (recorded, not counted)" }).ClickAsync();
        await form.GetByTestId("title").FillAsync("Typo on the receipt");
        await form.GetByTestId("reported-by").FillAsync("Hana");
        await form.GetByTestId("submit").ClickAsync();

        await Expect(form.GetByTestId("recorded")).ToContainTextAsync("now shows 8 days");
    }

    [Fact]
    public async Task The_form_refuses_an_empty_catch_with_a_message_per_field_and_the_wall_stays()
    {
        await fixture.AddTeamAsync("wall-refuses", daysAgo: 3);
        var form = await fixture.OpenAsync("/catches/new?team=wall-refuses", 1280, 900, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(form);

        await form.GetByTestId("submit").ClickAsync();

        await Expect(form.GetByText("Say what was caught, in a few words.")).ToBeVisibleAsync();
        await Expect(form.GetByText("Say who caught it.")).ToBeVisibleAsync();
        await Expect(form.GetByTestId("recorded")).ToHaveCountAsync(0);
        var wall = await fixture.OpenAsync("/wall/wall-refuses", signedInAs: "Viewer");
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("3");
    }

    [Theory]
    [InlineData("payments", 1920, 1080)]
    [InlineData("payments", 1280, 720)]
    [InlineData("search", 1920, 1080)]
    [InlineData("search", 1280, 720)]
    public async Task The_demo_wall_fits_the_screen_without_scrollbars_and_the_number_is_a_third_of_it(
        string team,
        int width,
        int height
    )
    {
        var page = await fixture.OpenAsync(await fixture.DisplayLinkAsync(team), width, height);
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("demo-badge")).ToHaveTextAsync("DEMO DATA");

        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"wall-{team}-{width}x{height}.png") }
        );

        var overflow = await page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                + "document.documentElement.scrollHeight, document.documentElement.clientHeight]"
        );
        Assert.True(overflow[0] <= overflow[1], $"horizontal scroll: {overflow[0]} > {overflow[1]}");
        Assert.True(overflow[2] <= overflow[3], $"vertical scroll: {overflow[2]} > {overflow[3]}");

        var number = await page.GetByTestId("days-since").BoundingBoxAsync();
        Assert.True(number!.Height >= height / 3.0, $"the number is {number.Height}px high on a {height}px screen");
        // The page itself cannot scroll (the wall is a fixed box): what matters is that nothing is pushed out of it.
        foreach (
            var testId in new[]
            {
                "record",
                "demo-badge",
                "clock",
                "live-dot",
                "caption",
                "last-catch",
                "mtbf",
                "mttr",
                "mtbf-trend",
                "mttr-trend",
                "shelf",
                "pipelines",
                "updated",
            }
        )
        {
            var box = await page.GetByTestId(testId).BoundingBoxAsync();
            Assert.True(
                box is not null
                    && box.X >= 0
                    && box.Y >= 0
                    && box.X + box.Width <= width + 0.5
                    && box.Y + box.Height <= height + 0.5,
                $"{testId} is not fully on screen: {box?.X},{box?.Y} {box?.Width}x{box?.Height}"
            );
        }
    }

    [Fact]
    public async Task The_search_demo_wall_shows_its_open_failure_as_a_banner()
    {
        var page = await fixture.OpenAsync("/wall/search", signedInAs: "Viewer");

        await Expect(page.GetByTestId("incident-banner")).ToContainTextAsync("Elevated 5xx on /query");
        var titleCut = await page.EvaluateAsync<bool>(
            "() => { const t = document.querySelector('.wall-banner__title'); return t.scrollWidth > t.clientWidth; }"
        );
        Assert.False(titleCut, "the failure's title is cut off");
        await Expect(page.GetByTestId("pipelines")).ToContainTextAsync("PAUSED");
    }
}
