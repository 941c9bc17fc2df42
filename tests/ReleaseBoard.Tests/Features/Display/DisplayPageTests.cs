using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Display;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Display;

/// <summary>
/// A TV's display link: rotation between walls, and a revoked link that stops showing without a reload.
/// </summary>
public class DisplayPageTests : BunitContext, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 20, 10, 0, 0, TimeSpan.Zero));
    private SqliteTestDatabase _database = null!;
    private DisplayLinkService _links = null!;
    private readonly AccessRevocation _revocation = new(NullLogger<AccessRevocation>.Instance);

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _links = new DisplayLinkService(_database, _clock, _revocation);
        Services.AddSingleton(_revocation);
        Services.AddSingleton<IDbContextFactory<ReleaseBoardDbContext>>(_database);
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(_database.Notifier);
        Services.AddSingleton<WallQuery>();
        Services.AddSingleton(_links);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Creates a link and points the page's address at it, as a TV opening "/display#token" would.</summary>
    private Task LinkAsync(TimeSpan every, params string[] teams) => LinkAsync(every, WallTheme.Dark, "", teams);

    private async Task LinkAsync(TimeSpan every, WallTheme theme, string query, params string[] teams)
    {
        var address = (
            await _links.CreateAsync(
                teams,
                every,
                theme,
                AuditActor.System,
                Xunit.TestContext.Current.CancellationToken
            )
        ).Value!;
        Services
            .GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>()
            .NavigateTo(address.Replace("#", query + "#", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(WallTheme.Light, "", true)]
    [InlineData(WallTheme.Dark, "", false)]
    [InlineData(WallTheme.Dark, "?theme=light", true)]
    [InlineData(WallTheme.Light, "?theme=dark", false)]
    public async Task The_link_chooses_the_theme_and_the_address_may_override_it(
        WallTheme stored,
        string query,
        bool light
    )
    {
        await _database.AddTeamAsync("payments");
        await LinkAsync(TimeSpan.FromSeconds(30), stored, query, "payments");

        var page = Render<DisplayPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=days-since]")));
        Assert.Equal(light, page.Find("[data-testid=wall]").ClassList.Contains("wall--light"));
        var listed = (await _links.ListAsync(Xunit.TestContext.Current.CancellationToken)).Single();
        Assert.Equal(stored, listed.Theme);
    }

    [Fact]
    public async Task Several_teams_rotate_on_the_links_interval()
    {
        await _database.AddTeamAsync("payments");
        await _database.AddTeamAsync("search");
        await LinkAsync(TimeSpan.FromSeconds(20), "payments", "search");

        var page = Render<DisplayPage>();
        page.WaitForAssertion(() => Assert.Equal("Payments", page.Find("[data-testid=team-name]").TextContent));

        _clock.Advance(TimeSpan.FromSeconds(20));
        page.WaitForAssertion(() => Assert.Equal("Search", page.Find("[data-testid=team-name]").TextContent));
        _clock.Advance(TimeSpan.FromSeconds(20));
        page.WaitForAssertion(() => Assert.Equal("Payments", page.Find("[data-testid=team-name]").TextContent));
    }

    [Theory]
    [InlineData("/display")]
    [InlineData("/display#rbd_guessed-token")]
    [InlineData("/display#rbk_an-api-key-is-not-a-display-token")]
    public async Task A_missing_or_unknown_token_shows_no_wall(string address)
    {
        await _database.AddTeamAsync("payments");
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(address);

        var page = Render<DisplayPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=display-revoked]")));
        Assert.Empty(page.FindAll("[data-testid=days-since]"));
    }

    [Fact]
    public async Task A_revoked_link_stops_showing_the_wall_without_a_reload()
    {
        await _database.AddTeamAsync("payments");
        await LinkAsync(TimeSpan.FromSeconds(30), "payments");
        var page = Render<DisplayPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=days-since]")));

        var id = (await _links.ListAsync(Xunit.TestContext.Current.CancellationToken)).Single().Id;
        await _links.RevokeAsync(id, AuditActor.System, Xunit.TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=display-revoked]")));
        Assert.Empty(page.FindAll("[data-testid=days-since]"));
    }

    [Fact]
    public async Task A_link_revoked_on_another_instance_stops_showing_as_soon_as_the_revocation_is_announced()
    {
        await _database.AddTeamAsync("payments");
        await LinkAsync(TimeSpan.FromSeconds(30), "payments");
        var page = Render<DisplayPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=days-since]")));

        // Another instance revoked it: no write here to hear of, only its poller's announcement.
        await using (var db = _database.CreateDbContext())
            await db.DisplayLinks.ExecuteUpdateAsync(
                u => u.SetProperty(l => l.RevokedAt, DateTime.UtcNow),
                Xunit.TestContext.Current.CancellationToken
            );
        _revocation.Announce();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=display-revoked]")));
    }
}
