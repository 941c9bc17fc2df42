using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// One app with two teams, a user per role, API keys, display links, and a signed-in client per role.
/// </summary>
public sealed class AccessFixture : IAsyncLifetime
{
    public const string Password = "a long enough passphrase";
    public static readonly AuditActor Setup = AuditActor.User("test setup", "test setup");

    public ReleaseBoardAppFactory App { get; } = new(seedDemoData: false, CapturingLoggerProvider.Settings);
    public Dictionary<string, HttpClient> Clients { get; } = new();
    public string KeyForAlpha { get; private set; } = "";
    public string KeyForBeta { get; private set; } = "";
    public string KeyForAllTeams { get; private set; } = "";
    public string RevokedKey { get; private set; } = "";
    public string DisplayAlphaPath { get; private set; } = "";
    public string RevokedDisplayPath { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await using (
            var db = await App
                .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                .CreateDbContextAsync()
        )
        {
            foreach (var slug in new[] { "alpha", "beta" })
            {
                var team = new Team
                {
                    Slug = slug,
                    Name = slug,
                    TimeZoneId = "Europe/Berlin",
                    CreatedAt = DateTime.UtcNow,
                };
                var service = new Service
                {
                    Slug = $"{slug}-api",
                    Name = $"{slug}-api",
                    Team = team,
                };
                db.AddRange(
                    new ServiceEnvironment
                    {
                        Name = "staging",
                        Order = 0,
                        Service = service,
                    },
                    new ServiceEnvironment
                    {
                        Name = "production",
                        Order = 1,
                        IsProduction = true,
                        Service = service,
                    }
                );
            }
            await db.SaveChangesAsync();
        }

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            foreach (var role in Roles.All)
                Assert.True(
                    (
                        await users.CreateAsync($"{role.ToLowerInvariant()}@example.test", role, Password, Setup)
                    ).Succeeded
                );
        }

        var keys = App.Services.GetRequiredService<ApiKeyService>();
        KeyForAlpha = (await keys.CreateAsync("alpha-ci", "alpha", false, Setup)).Value!;
        KeyForBeta = (await keys.CreateAsync("beta-ci", "beta", false, Setup)).Value!;
        KeyForAllTeams = (await keys.CreateAsync("incident-tool", null, true, Setup)).Value!;
        RevokedKey = (await keys.CreateAsync("old-ci", "alpha", false, Setup)).Value!;
        await keys.RevokeAsync("old-ci", Setup);

        var links = App.Services.GetRequiredService<DisplayLinkService>();
        var every = TimeSpan.FromSeconds(30);
        DisplayAlphaPath = (await links.CreateAsync(["alpha"], every, WallTheme.Dark, Setup)).Value!;
        RevokedDisplayPath = (await links.CreateAsync(["alpha"], every, WallTheme.Dark, Setup)).Value!;
        var revokedId = (await links.ListAsync())
            .Single(l => RevokedDisplayPath.Contains(l.TokenPrefix, StringComparison.Ordinal))
            .Id;
        await links.RevokeAsync(revokedId, Setup);

        Clients[Principal.Anonymous] = App.NoRedirects();
        foreach (var role in Roles.All)
            Clients[role] = await SignIn.SignedInClientAsync(App, $"{role.ToLowerInvariant()}@example.test", Password);
    }

    /// <summary>A request as one of the principals of the matrix.</summary>
    public HttpClient ClientFor(string principal)
    {
        if (Clients.TryGetValue(principal, out var client))
            return client;
        var bearer = principal switch
        {
            Principal.KeyOfTeam => KeyForAlpha,
            Principal.KeyOfOtherTeam => KeyForBeta,
            Principal.KeyOfAllTeams => KeyForAllTeams,
            Principal.RevokedKey => RevokedKey,
            Principal.DisplayLinkAsBearer => TokenOf(DisplayAlphaPath),
            _ => throw new ArgumentOutOfRangeException(nameof(principal), principal, null),
        };
        client = App.NoRedirects();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer",
            bearer
        );
        Clients[principal] = client;
        return client;
    }

    public static string TokenOf(string displayAddress) => displayAddress[(displayAddress.IndexOf('#') + 1)..];

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients.Values)
            client.Dispose();
        await App.DisposeAsync();
    }
}

public static class Principal
{
    public const string Anonymous = "anonymous";
    public const string Viewer = Roles.Viewer;
    public const string Approver = Roles.Approver;
    public const string Admin = Roles.Admin;
    public const string KeyOfTeam = "API key of the team";
    public const string KeyOfOtherTeam = "API key of another team";
    public const string KeyOfAllTeams = "API key of all teams";
    public const string RevokedKey = "revoked API key";
    public const string DisplayLinkAsBearer = "display-link token as a key";

    public static readonly string[] All =
    [
        Anonymous,
        Viewer,
        Approver,
        Admin,
        KeyOfTeam,
        KeyOfOtherTeam,
        KeyOfAllTeams,
        RevokedKey,
        DisplayLinkAsBearer,
    ];
}
