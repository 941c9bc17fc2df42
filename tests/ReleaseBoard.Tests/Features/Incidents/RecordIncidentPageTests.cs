using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Incidents;

namespace ReleaseBoard.Tests.Features.Incidents;

/// <summary>
/// The form for failures no tool reports, on the real app's services: it stores the failure, says who recorded it,
/// and the immune system pauses the service's continuous environments as it does for the API and webhooks.
/// </summary>
public class RecordIncidentPageTests : AppBunitContext
{
    private int _productionId;

    public override async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var team = new Team
            {
                Slug = "ops",
                Name = "Ops",
                TimeZoneId = "Europe/Berlin",
                CreatedAt = DateTime.UtcNow,
            };
            var service = new Service
            {
                Slug = "svc",
                Name = "svc",
                Team = team,
            };
            var production = new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                Service = service,
                PromotionMode = PromotionMode.Continuous,
            };
            db.AddRange(
                new ServiceEnvironment
                {
                    Name = "staging",
                    Order = 0,
                    Service = service,
                    PromotionMode = PromotionMode.Continuous,
                },
                production
            );
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
            _productionId = production.Id;
        }
        // A single-sign-on Approver: no local account, an identity the store knows, a session not over yet.
        var sso = Assert.IsType<SsoSignIn.Allowed>(
            await App
                .Services.GetRequiredService<SsoIdentities>()
                .SignInAsync(
                    "https://idp.example",
                    "ada",
                    "ada@example.test",
                    true,
                    "Ada",
                    Xunit.TestContext.Current.CancellationToken
                )
        );
        var auth = UseAppServices();
        auth.SetAuthorized("ada@example.test");
        auth.SetRoles(Roles.Approver);
        auth.SetClaims(
            new System.Security.Claims.Claim(PersonClaims.PersonId, sso.PersonId),
            new System.Security.Claims.Claim(
                PersonClaims.SsoIdentity,
                sso.IdentityId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ),
            new System.Security.Claims.Claim(
                PersonClaims.SessionEnds,
                DateTimeOffset
                    .UtcNow.AddHours(8)
                    .ToUnixTimeSeconds()
                    .ToString(System.Globalization.CultureInfo.InvariantCulture)
            )
        );
        auth.SetPolicies(Policies.Record, Policies.View);
    }

    private IRenderedComponent<RecordIncidentPage> Open()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/incidents/new?team=ops");
        return Render<RecordIncidentPage>();
    }

    [Fact]
    public async Task An_open_failure_recorded_on_the_form_pauses_the_continuous_stages_and_names_who_recorded_it()
    {
        var page = Open();
        page.WaitForElement("input[data-testid=title]").Change("Checkout returns 500");

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() =>
            Assert.Contains("Paused at once: staging, production", page.Find("[data-testid=recorded]").TextContent)
        );
        await using var db = await DbAsync();
        var incident = await db.Incidents.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(
            ("Checkout returns 500", 2, (DateTime?)null),
            (incident.Title, incident.Severity, incident.ResolvedAt)
        );
        Assert.Equal(RecordIncidentForm.FormSource, incident.Source);
        // addressable by PATCH
        Assert.Contains($"{incident.Source}/{incident.ExternalId}", page.Find("[data-testid=recorded]").TextContent);
        Assert.Equal(
            PromotionMode.Paused,
            (
                await db.Environments.SingleAsync(
                    e => e.Id == _productionId,
                    Xunit.TestContext.Current.CancellationToken
                )
            ).PromotionMode
        );
        var recorded = await db.AuditEntries.SingleAsync(
            a => a.Action == "incident.recorded",
            Xunit.TestContext.Current.CancellationToken
        );
        Assert.Equal(("ada@example.test", $"incident/{incident.Id}"), (recorded.Actor, recorded.Subject));
    }

    [Fact]
    public async Task A_resolution_before_the_start_is_refused_on_its_field_and_nothing_is_stored()
    {
        var page = Open();
        page.WaitForElement("input[data-testid=title]").Change("Slow search");
        page.Find("input[data-testid=started-at]").Change("2026-11-20T10:00");
        page.Find("input[data-testid=resolved-at]").Change("2026-11-20T09:00");

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() =>
            Assert.Contains(
                "The resolution time is before the impact start.",
                page.Find(".mud-input-control:has(input[data-testid=resolved-at])").TextContent
            )
        );
        Assert.Empty(page.FindAll("[data-testid=recorded]"));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Equal(
            PromotionMode.Continuous,
            (
                await db.Environments.SingleAsync(
                    e => e.Id == _productionId,
                    Xunit.TestContext.Current.CancellationToken
                )
            ).PromotionMode
        );
    }

    [Fact]
    public async Task An_open_failure_whatever_reported_it_is_resolved_from_the_list_and_the_trail_says_who()
    {
        long id;
        await using (var db = await DbAsync())
        {
            // Imported without ids: nothing but this list can resolve it.
            var incident = new Incident
            {
                ServiceId = (await db.Services.SingleAsync(Xunit.TestContext.Current.CancellationToken)).Id,
                Severity = 3,
                Title = "Imported, still open",
                ImpactStartedAt = DateTime.UtcNow.AddHours(-3),
                DetectedAt = DateTime.UtcNow.AddHours(-3),
                Source = "import",
            };
            db.Incidents.Add(incident);
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
            id = incident.Id;
        }
        var page = Open();
        page.WaitForAssertion(() =>
            Assert.Contains("Imported, still open", page.Find("[data-testid=open-incidents]").TextContent)
        );

        await page.Find("[data-testid=open-incident] [data-testid=resolve]").ClickAsync(new());

        page.WaitForElement("[data-testid=no-open-incidents]");
        await using var check = await DbAsync();
        Assert.NotNull(
            (await check.Incidents.SingleAsync(i => i.Id == id, Xunit.TestContext.Current.CancellationToken)).ResolvedAt
        );
        var resolved = await check.AuditEntries.SingleAsync(
            a => a.Action == "incident.resolved",
            Xunit.TestContext.Current.CancellationToken
        );
        Assert.Equal(("ada@example.test", $"incident/{id}"), (resolved.Actor, resolved.Subject));
    }
}
