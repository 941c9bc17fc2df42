using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

[Collection(nameof(BrowserCollection))]
public class AccessBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Signing_in_as_an_Approver_records_a_catch_through_the_form()
    {
        await fixture.AddTeamAsync("access-approver", daysAgo: 12);
        var page = await fixture.OpenAsync("/catches/new?team=access-approver", 1280, 900, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(BrowserFixture.EmailOf("Approver"));

        await page.GetByTestId("title").FillAsync("Wrong tax on refunds");
        await page.GetByTestId("reported-by").FillAsync("Ana");
        await page.GetByTestId("submit").ClickAsync();

        await Expect(page.GetByTestId("recorded")).ToContainTextAsync("now shows 0 days");
    }

    [Fact]
    public async Task A_Viewer_cannot_record_a_catch_even_with_a_forged_request()
    {
        await fixture.AddTeamAsync("access-viewer", daysAgo: 7);
        var page = await fixture.OpenAsync("/catches/new?team=access-viewer", 1280, 900, signedInAs: "Viewer");

        // The form is refused by the server: the page request itself is redirected to "no access".
        await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
        Assert.Contains("/account/access-denied", page.Url);

        // Forged: the same catch sent straight to the server with the Viewer's session cookie.
        var forged = await page.APIRequest.PostAsync(
            fixture.App.BaseUrl + "/api/v1/catches",
            new APIRequestContextOptions
            {
                DataObject = new
                {
                    service = "access-viewer-api",
                    environment = "staging",
                    severity = 1,
                    title = "Forged",
                    reportedBy = "mallory",
                    caughtAt = DateTimeOffset.UtcNow,
                },
            }
        );
        Assert.Equal(401, forged.Status); // writes take an API key; a browser session is not accepted at all

        // And nothing changed: the wall still counts 7.
        var wall = await fixture.OpenAsync("/wall/access-viewer", signedInAs: "Viewer");
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("7");
        await Expect(wall.GetByTestId("last-catch")).Not.ToContainTextAsync("Forged");
    }

    [Fact]
    public async Task Without_signing_in_a_page_sends_you_to_the_login_and_back()
    {
        var page = await fixture.OpenAsync("/definitions");

        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await page.GetByTestId("email").FillAsync(BrowserFixture.EmailOf("Viewer"));
        await page.GetByTestId("password").FillAsync("not the password");
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToContainTextAsync("not right");

        await page.GetByTestId("email").FillAsync(BrowserFixture.EmailOf("Viewer"));
        await page.GetByTestId("password").FillAsync(BrowserFixture.Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/definitions", StringComparison.Ordinal));
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "definitions-signed-in.png") }
        );

        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await page.GotoAsync(fixture.App.BaseUrl + "/definitions");
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync(); // signed out for real, not just sent away
    }

    [Fact]
    public async Task An_open_page_signs_out_when_an_operator_takes_the_role_away_from_another_process()
    {
        // A person of its own: the fixture's people are shared by every test.
        const string email = "demoted-approver@example.test";
        var created = await fixture.App.RunCommandAsync(
            BrowserFixture.Password,
            "users",
            "create",
            "--email",
            email,
            "--role",
            "Approver"
        );
        Assert.True(created.ExitCode == 0, created.Error);
        var page = await fixture.OpenAsync("/pipelines", 1280, 900, signedInAs: email);
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(email);

        // The command line is another process: only the store connects it to the open page's circuit.
        var demoted = await fixture.App.RunCommandAsync(
            null,
            "users",
            "set-role",
            "--email",
            email,
            "--role",
            "Viewer"
        );
        Assert.True(demoted.ExitCode == 0, demoted.Error);

        // Without reloading, the page gives up its sign-in and the protected page sends the person to sign in again.
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync(new() { Timeout = BrowserFixture.Patience });
        Assert.Contains("/account/login", page.Url);
    }

    [Fact]
    public async Task An_admin_creates_a_display_link_that_a_TV_opens_without_signing_in_and_revokes_it()
    {
        await fixture.AddTeamAsync("access-tv", daysAgo: 3);
        var admin = await fixture.OpenAsync("/admin/display-links", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(admin);

        await admin.GetByTestId("link-teams").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "access-tv" }).ClickAsync();
        await admin.Keyboard.PressAsync("Escape");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var address = await admin.GetByTestId("new-link").TextContentAsync();
        Assert.Contains("/display#rbd_", address);

        var tv = await fixture.Browser.NewPageAsync();
        await tv.GotoAsync(address!);
        await Expect(tv.GetByTestId("days-since")).ToHaveTextAsync("3");

        await admin
            .GetByRole(AriaRole.Row)
            .Filter(new() { HasText = "access-tv" })
            .GetByRole(AriaRole.Button, new() { Name = "Revoke" })
            .ClickAsync();
        await Expect(tv.GetByTestId("display-revoked")).ToBeVisibleAsync(new() { Timeout = 10000 });
        await admin.GotoAsync(fixture.App.BaseUrl + "/admin/audit");
        await Expect(admin.GetByTestId("audit")).ToContainTextAsync("display-link.revoked");
    }

    [Fact]
    public async Task An_admin_imports_a_CSV_of_catches_checking_it_first()
    {
        await fixture.AddTeamAsync("access-import", daysAgo: 20);
        var admin = await fixture.OpenAsync("/admin/import", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(admin);
        await admin.GetByTestId("import-kind").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "Catches" }).ClickAsync();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        await admin
            .GetByTestId("import-file")
            .SetInputFilesAsync(
                new FilePayload
                {
                    Name = "catches.csv",
                    MimeType = "text/csv",
                    Buffer = System.Text.Encoding.UTF8.GetBytes(
                        "service,environment,severity,title,caughtAt,reportedBy,source,externalId\n"
                            + $"access-import-api,staging,2,\"Imported, from history\",{today}T00:01:00Z,QA,csv,1\n"
                    ),
                }
            );
        await admin.GetByTestId("import-check").ClickAsync();
        await Expect(admin.GetByTestId("import-report")).ToContainTextAsync("All 1 rows are fine");
        await admin.GetByTestId("import-run").ClickAsync();
        await Expect(admin.GetByTestId("import-report")).ToContainTextAsync("Imported 1 of 1 rows");

        var wall = await fixture.OpenAsync("/wall/access-import", signedInAs: "Viewer");
        await Expect(wall.GetByTestId("last-catch")).ToContainTextAsync("Imported, from history");
    }
}
