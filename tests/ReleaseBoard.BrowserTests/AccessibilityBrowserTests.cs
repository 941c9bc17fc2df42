using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// axe-core (Deque's engine, the version the package embeds; nothing is downloaded) over every page, signed out and
/// signed in, with demo data: no serious or critical WCAG 2 A or AA violation anywhere.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class AccessibilityBrowserTests(BrowserFixture fixture)
{
    private static readonly string[] Levels = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    public static TheoryData<string> SignedOutPages() =>
        ["/account/login", "/account/access-denied", "/not-found", "/display", "/display#rbd_unknown"];

    public static TheoryData<string> SignedInPages() =>
        [
            "/",
            "/trends",
            "/pipelines",
            "/pipelines/audit",
            "/definitions",
            "/catches/new",
            "/incidents/new",
            "/account/password",
            "/wall/payments",
            "/wall/payments?theme=light",
            "/admin/catalog",
            "/admin/users",
            "/admin/api-keys",
            "/admin/webhooks",
            "/admin/display-links",
            "/admin/windows",
            "/admin/notifications",
            "/admin/audit",
            "/admin/import",
            "/admin/demo-data",
        ];

    [Theory]
    [MemberData(nameof(SignedOutPages))]
    public async Task Signed_out_pages_have_no_serious_violation(string path)
    {
        var page = await fixture.OpenAsync(path);
        await AssertAccessibleAsync(page, path);
    }

    [Theory]
    [MemberData(nameof(SignedInPages))]
    public async Task Signed_in_pages_have_no_serious_violation(string path)
    {
        var page = await fixture.OpenAsync(path, signedInAs: "Admin");
        await AssertAccessibleAsync(page, path);
    }

    [Fact]
    public async Task A_display_link_wall_in_both_themes_has_no_serious_violation()
    {
        var link = await fixture.DisplayLinkAsync("payments");
        foreach (var theme in new[] { "dark", "light" })
        {
            var page = await fixture.OpenAsync(link.Replace("#", $"?theme={theme}#", StringComparison.Ordinal));
            await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("days-since")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, $"display ({theme})");
        }
    }

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        // Sign-in pages are static forms with no circuit; the others are checked once they are live.
        if (await page.Locator("html[data-interactive=true]").CountAsync() == 1)
            await BrowserFixture.WaitUntilLiveAsync(page);
        // Charts and MudBlazor's components settle after the circuit connects.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(500);
        var result = await page.RunAxe(
            new AxeRunOptions
            {
                RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. Levels] },
                ResultTypes = [ResultType.Violations],
            }
        );
        var serious = result
            .Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v =>
                $"{v.Id} ({v.Impact}): {v.Help} at "
                + string.Join(" | ", v.Nodes.Take(4).Select(n => $"{n.Target} {n.Html}"))
            )
            .ToList();
        await page.Context.CloseAsync();
        Assert.True(serious.Count == 0, $"{what}:\n" + string.Join("\n", serious));
    }
}
