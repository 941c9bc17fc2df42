using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Admin;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// What a secret speaks for depends on the tool: a GitHub repository chosen before the tool changes to PagerDuty is
/// no longer chosen, so Add asks again instead of binding a PagerDuty secret to a repository.
/// </summary>
public class WebhooksPageTests : AppBunitContext
{
    public override async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var team = new Team
            {
                Slug = "payments",
                Name = "Payments",
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            };
            db.Services.Add(
                new Service
                {
                    Team = team,
                    Slug = "payments-api",
                    Name = "Payments API",
                    Repository = "acme/payments-api",
                    PagerDutyServiceId = "PABC123",
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

    [Fact]
    public async Task Changing_the_tool_forgets_the_owner_chosen_for_the_other_tool()
    {
        var page = Render<WebhooksPage>();
        var owner = page.WaitForComponent<MudSelect<string>>();
        await page.InvokeAsync(() => owner.Instance.ValueChanged.InvokeAsync("repository:acme/payments-api"));
        var tool = page.FindComponent<MudSelect<WebhookTool>>();
        await page.InvokeAsync(() => tool.Instance.ValueChanged.InvokeAsync(WebhookTool.PagerDuty));

        Assert.True(string.IsNullOrEmpty(page.Find("input[data-testid=webhook-owner]").GetAttribute("value")));
        page.Find("input[data-testid=webhook-secret]").Change("a pasted pagerduty secret of some length");
        // A button found before a re-render has a stale handler, so it is found again until the click lands.
        page.WaitForAssertion(() => page.Find("[data-testid=webhook-add]").Click());

        page.WaitForAssertion(() => Assert.Contains("Choose what the secret speaks for", page.Markup));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.WebhookSecrets.CountAsync(Xunit.TestContext.Current.CancellationToken));
    }
}
