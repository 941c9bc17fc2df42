using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Admin;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Windows;

/// <summary>Windows are policy: an Admin sets them, each change audited; anyone else changes nothing.</summary>
public class WindowsPageTests : AppBunitContext
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private int _productionId;

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private async Task SeedAsync(string role)
    {
        await using (var db = await DbAsync())
        {
            var team = new Team
            {
                Slug = "payments",
                Name = "Payments",
                TimeZoneId = "Europe/Berlin",
                CreatedAt = DateTime.UtcNow,
            };
            var production = new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                Service = new Service
                {
                    Team = team,
                    Slug = "payments-api",
                    Name = "Payments API",
                },
            };
            db.Environments.Add(production);
            await db.SaveChangesAsync(Ct);
            _productionId = production.Id;
        }
        var users = App.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (await users.CreateAsync("ada@example.test", role, "a long enough passphrase", AuditActor.System)).Succeeded
        );
        // The claims say Admin whatever the store says: the page must ask the store at the moment of the action.
        await SignInAsync(UseAppServices(), "ada@example.test", role, Policies.Admin, Policies.Record, Policies.View);
    }

    private async Task<IRenderedComponent<WindowsPage>> AddAsync(string rule)
    {
        var page = Render<WindowsPage>();
        var environment = page.WaitForComponent<MudSelect<int?>>();
        await page.InvokeAsync(() => environment.Instance.ValueChanged.InvokeAsync(_productionId));
        page.Find("input[data-testid=window-rule]").Change(rule);
        page.WaitForAssertion(() => page.Find("[data-testid=window-add]").Click());
        return page;
    }

    [Fact]
    public async Task An_admin_adds_an_allow_window_and_sees_when_it_is_open()
    {
        await SeedAsync(Roles.Admin);

        var page = await AddAsync("Mon-Thu 09:00-16:00");

        page.WaitForAssertion(() => Assert.Contains("Added; that environment is", page.Markup));
        Assert.Contains("Mon-Thu 09:00-16:00", page.Find("[data-testid=windows]").TextContent);
        Assert.Contains("Europe/Berlin", page.Find("[data-testid=windows]").TextContent);
        await using var db = await DbAsync();
        Assert.Equal("Mon-Thu 09:00-16:00", (await db.PromotionWindows.SingleAsync(Ct)).Rule);
        Assert.Equal(
            "window.added",
            (await db.AuditEntries.SingleAsync(a => a.Action.StartsWith("window"), Ct)).Action
        );
    }

    [Fact]
    public async Task A_rule_that_is_not_one_is_refused_with_its_reason_and_stores_nothing()
    {
        await SeedAsync(Roles.Admin);

        var page = await AddAsync("Mon-Thu 9-16");

        page.WaitForAssertion(() =>
            Assert.Contains("is not a window", page.Find("[data-testid=windows-error]").TextContent)
        );
        await using var db = await DbAsync();
        Assert.Equal(0, await db.PromotionWindows.CountAsync(Ct));
    }

    [Fact]
    public async Task An_approver_whose_sign_in_claims_admin_changes_nothing()
    {
        await SeedAsync(Roles.Approver);

        var page = await AddAsync("Mon-Thu 09:00-16:00");

        page.WaitForAssertion(() =>
            Assert.Contains("needs the Admin role", page.Find("[data-testid=windows-error]").TextContent)
        );
        await using var db = await DbAsync();
        Assert.Equal(0, await db.PromotionWindows.CountAsync(Ct));
        Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.Action.StartsWith("window"), Ct));
    }
}
