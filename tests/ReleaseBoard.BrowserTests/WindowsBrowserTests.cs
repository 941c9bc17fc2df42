using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

[Collection(nameof(BrowserCollection))]
public class WindowsBrowserTests(BrowserFixture fixture)
{
    private static string Local(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_admin_sets_a_window_and_a_freeze_and_the_open_wall_shows_the_environment_frozen()
    {
        await fixture.AddTeamAsync("windows-tv", daysAgo: 6);
        var wall = await fixture.OpenAsync("/wall/windows-tv", signedInAs: "Viewer");
        await BrowserFixture.WaitUntilLiveAsync(wall);
        await Expect(wall.GetByTestId("frozen")).ToHaveCountAsync(0);
        var admin = await fixture.OpenAsync("/admin/windows", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(admin);

        await admin.GetByTestId("window-environment").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "windows-tv/windows-tv-api/production" }).ClickAsync();
        await admin.GetByTestId("window-rule").FillAsync("Mon-Fri 08:00-18:00");
        await admin.GetByTestId("window-add").ClickAsync();
        await Expect(admin.GetByTestId("windows")).ToContainTextAsync("Mon-Fri 08:00-18:00");

        await admin.GetByTestId("freeze-scope").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "Team windows-tv" }).ClickAsync();
        await admin.GetByTestId("freeze-from").FillAsync(Local(DateTime.UtcNow.AddHours(-1)));
        await admin.GetByTestId("freeze-to").FillAsync(Local(DateTime.UtcNow.AddHours(2)));
        await admin.GetByTestId("freeze-reason").FillAsync("quarter-end close");
        await admin.GetByTestId("freeze-add").ClickAsync();
        await Expect(admin.GetByTestId("windows-done")).ToContainTextAsync("Freeze scheduled");
        await Expect(admin.GetByTestId("freezes")).ToContainTextAsync("quarter-end close");

        // The wall hears of the write and shows every environment of the team frozen, without a reload.
        await Expect(wall.GetByTestId("frozen")).ToHaveCountAsync(3, new() { Timeout = BrowserFixture.Patience });
        await wall.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wall-frozen.png") });

        await admin.GotoAsync(fixture.App.BaseUrl + "/pipelines?team=windows-tv");
        var production = admin.GetByTestId("stage-windows-tv-api-production");
        await Expect(production.GetByTestId("frozen")).ToBeVisibleAsync();
        await Expect(production.GetByTestId("window")).ToContainTextAsync("quarter-end close");
        await admin.GotoAsync(fixture.App.BaseUrl + "/admin/audit");
        await Expect(admin.GetByTestId("audit")).ToContainTextAsync("freeze.scheduled");
    }
}
