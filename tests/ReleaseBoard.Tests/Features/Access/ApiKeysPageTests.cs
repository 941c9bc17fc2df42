using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Admin;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// A key for every team is a choice an Admin makes, never what the form falls into: with no team chosen, Create
/// explains and stores nothing.
/// </summary>
public class ApiKeysPageTests : AppBunitContext
{
    public override async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            db.Teams.Add(
                new Team
                {
                    Slug = "payments",
                    Name = "Payments",
                    TimeZoneId = "Etc/UTC",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        var users = App.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (
                await users.CreateAsync("ada@example.test", Roles.Admin, "a long enough passphrase", AuditActor.System)
            ).Succeeded
        );
        await SignInAsync(
            UseAppServices(),
            "ada@example.test",
            Roles.Admin,
            Policies.Admin,
            Policies.Record,
            Policies.View
        );
    }

    private async Task<int> KeysStoredAsync()
    {
        await using var db = await DbAsync();
        return await db.ApiKeys.CountAsync(Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Create_without_choosing_a_team_explains_and_stores_no_key()
    {
        var page = Render<ApiKeysPage>();
        page.WaitForElement("input").Change("deploy pipeline");

        // The page re-renders once its teams are read: a button found before then has a stale handler, so find again.
        page.WaitForAssertion(() => page.FindAll("button").Single(b => b.TextContent.Contains("Create")).Click());

        page.WaitForAssertion(() => Assert.Contains("Choose the team the key acts for", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=new-key]"));
        Assert.Equal(0, await KeysStoredAsync());
    }
}
