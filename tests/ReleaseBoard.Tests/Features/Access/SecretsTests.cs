using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// API keys, display-link tokens and passwords never appear in clear: not in the database, the logs or the pages.
/// </summary>
public class SecretsTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private IEnumerable<string> Secrets =>
        [
            fixture.KeyForAlpha,
            fixture.KeyForBeta,
            fixture.KeyForAllTeams,
            fixture.RevokedKey,
            TokenOf(fixture.DisplayAlphaPath),
            TokenOf(fixture.RevokedDisplayPath),
            AccessFixture.Password,
        ];

    private static string TokenOf(string address) => AccessFixture.TokenOf(address);

    [Fact]
    public async Task The_database_file_holds_no_secret_in_clear()
    {
        await UseEverySecretAsync();
        SqliteConnection.ClearAllPools(); // let the WAL settle into the file

        var folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(fixture.App.ConnectionString).DataSource)!;
        var bytes = Directory.GetFiles(folder).SelectMany(File.ReadAllBytes).ToArray();
        var asText = Encoding.UTF8.GetString(bytes) + Encoding.Unicode.GetString(bytes);

        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, asText));
        Assert.Contains(fixture.KeyForAlpha[..10], asText); // the shown prefix is there: the search itself works
    }

    [Fact]
    public async Task The_logs_hold_no_secret_even_at_trace_level()
    {
        await UseEverySecretAsync();

        var logs = string.Join('\n', fixture.App.Logs.Lines);

        Assert.Contains("Microsoft.EntityFrameworkCore.Database.Command", logs); // this app's own trace is in there
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, logs));
    }

    [Fact]
    public async Task The_admin_pages_show_prefixes_not_secrets()
    {
        await UseEverySecretAsync();
        var admin = fixture.ClientFor(Principal.Admin);

        var pages = string.Concat(
            await admin.GetStringAsync("/admin/api-keys", TestContext.Current.CancellationToken),
            await admin.GetStringAsync("/admin/display-links", TestContext.Current.CancellationToken),
            await admin.GetStringAsync("/admin/audit", TestContext.Current.CancellationToken),
            await admin.GetStringAsync("/admin/users", TestContext.Current.CancellationToken)
        );

        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, pages));
        Assert.Contains(fixture.KeyForAlpha[..10], pages);
    }

    /// <summary>
    /// Every secret goes through the app once: keys as Bearer headers, tokens as display addresses, passwords by
    /// signing in.
    /// </summary>
    private async Task UseEverySecretAsync()
    {
        using var client = fixture.App.NoRedirects();
        foreach (
            var key in new[] { fixture.KeyForAlpha, fixture.KeyForBeta, fixture.KeyForAllTeams, fixture.RevokedKey }
        )
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/teams/alpha/sign");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            await client.SendAsync(request, TestContext.Current.CancellationToken);
        }
        // A display token reaches the app only on the live circuit, which resolves it through this service.
        var links = fixture.App.Services.GetRequiredService<ReleaseBoard.Web.Features.Access.DisplayLinkService>();
        Assert.NotNull(
            await links.ResolveAsync(TokenOf(fixture.DisplayAlphaPath), TestContext.Current.CancellationToken)
        );
        Assert.Null(
            await links.ResolveAsync(TokenOf(fixture.RevokedDisplayPath), TestContext.Current.CancellationToken)
        );
        await client.GetAsync("/display", TestContext.Current.CancellationToken);
        await Support.SignIn.PostLoginAsync(client, "viewer@example.test", AccessFixture.Password);
        await Support.SignIn.PostLoginAsync(client, "viewer@example.test", AccessFixture.Password + " wrong");
    }
}
