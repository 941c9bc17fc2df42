using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>One app, two approvers, a viewer and a key, each signed in as a browser would be.</summary>
public sealed class PromotionApiFixture : IAsyncLifetime
{
    public const string Password = "a long enough passphrase";
    public ReleaseBoardAppFactory App { get; } = new();
    public HttpClient Ada { get; private set; } = null!;
    public HttpClient Ben { get; private set; } = null!;
    public HttpClient Viewer { get; private set; } = null!;
    public HttpClient Key { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            db.Teams.Add(
                new Team
                {
                    Slug = "shop",
                    Name = "Shop",
                    TimeZoneId = "Etc/UTC",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync();
        }
        var users = App.Services.GetRequiredService<UserAdministration>();
        foreach (
            var (email, role) in new[]
            {
                ("ada@example.test", Roles.Approver),
                ("ben@example.test", Roles.Approver),
                ("vic@example.test", Roles.Viewer),
            }
        )
            Assert.True((await users.CreateAsync(email, role, Password, AuditActor.System)).Succeeded);
        Ada = await SignIn.SignedInClientAsync(App, "ada@example.test", Password);
        Ben = await SignIn.SignedInClientAsync(App, "ben@example.test", Password);
        Viewer = await SignIn.SignedInClientAsync(App, "vic@example.test", Password);
        Key = App.CreateApiClient(
            (
                await App
                    .Services.GetRequiredService<ApiKeyService>()
                    .CreateAsync("shop-ci", "shop", false, AuditActor.System)
            ).Value
        );
    }

    public Task<ReleaseBoardDbContext> DbAsync() =>
        App.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync();

    /// <summary>A service of its own per test: staging (continuous) → production (two approvers, Manual).</summary>
    public async Task<(string Slug, int ProductionId)> ServiceAsync(PromotionMode production = PromotionMode.Manual)
    {
        await using var db = await DbAsync();
        var service = new Service
        {
            Slug = "svc-" + Guid.NewGuid().ToString("N")[..8],
            Name = "svc",
            Team = await db.Teams.SingleAsync(t => t.Slug == "shop"),
        };
        var prod = new ServiceEnvironment
        {
            Name = "production",
            Order = 1,
            IsProduction = true,
            RequiredApprovals = 2,
            Service = service,
            PromotionMode = production,
        };
        db.AddRange(
            new ServiceEnvironment
            {
                Name = "staging",
                Order = 0,
                Service = service,
                PromotionMode = PromotionMode.Continuous,
            },
            prod
        );
        await db.SaveChangesAsync();
        return (service.Slug, prod.Id);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { Ada, Ben, Viewer, Key })
            client?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// The promotion API as people use it: the whole four-eyes flow over HTTP, its refusals with their status codes, the
/// ETag that keeps a script from acting on what it has not seen, and the role re-read from the store on every change.
/// </summary>
public class PromotionApiTests(PromotionApiFixture fixture) : IClassFixture<PromotionApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Path(string slug, string action = "") =>
        $"/api/v1/environments/{slug}/production/promotion{action}";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(
            response.StatusCode == expected,
            $"expected {(int)expected}, got {(int)response.StatusCode}: {text}"
        );
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<string[]> PromotionAuditAsync(int environmentId)
    {
        await using var db = await fixture.DbAsync();
        return await db
            .AuditEntries.Where(a => a.Subject == $"environment/{environmentId}")
            .OrderBy(a => a.Id)
            .Select(a => a.Action)
            .ToArrayAsync(Ct);
    }

    [Fact]
    public async Task An_approver_reads_the_evidence_and_approves_with_its_hash_and_a_stale_hash_approves_nothing()
    {
        var (slug, productionId) = await fixture.ServiceAsync();
        var requested = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync(Path(slug, "/request"), new { reason = "quiet for weeks" }, Ct),
            HttpStatusCode.OK
        );
        var requestId = requested.GetProperty("pendingRequest").GetProperty("id").GetInt64();
        var state = await JsonAsync(await fixture.Ben.GetAsync(Path(slug), Ct), HttpStatusCode.OK);
        var evidence = state.GetProperty("evidence");
        var hash = evidence.GetProperty("hash").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Contains(evidence.GetProperty("evidence").GetProperty("criteria").EnumerateArray(), c =>
            c.GetProperty("key").GetString() == "rollback-proven" && !c.GetProperty("passed").GetBoolean()
        );

        var stale = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(
                $"/api/v1/promotion-requests/{requestId}/approve",
                new { overrideReason = "drill on Monday", evidenceHash = new string('0', 64) },
                Ct
            ),
            HttpStatusCode.Conflict
        );
        Assert.Equal("evidence-changed", stale.GetProperty("code").GetString());
        var approved = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(
                $"/api/v1/promotion-requests/{requestId}/approve",
                new { overrideReason = "drill on Monday", evidenceHash = hash },
                Ct
            ),
            HttpStatusCode.OK
        );

        var approval = Assert.Single(approved.GetProperty("pendingRequest").GetProperty("approvals").EnumerateArray());
        Assert.Equal(hash, approval.GetProperty("evidenceHash").GetString());
        Assert.Equal(
            ["promotion.requested", "promotion.approved-with-override"],
            await PromotionAuditAsync(productionId)
        );
    }

    [Fact]
    public async Task Two_approvers_turn_production_continuous_over_the_API_and_one_pauses_it()
    {
        var (slug, productionId) = await fixture.ServiceAsync();

        var requested = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync(Path(slug, "/request"), new { reason = "green for a month" }, Ct),
            HttpStatusCode.OK
        );
        Assert.Equal("manual", requested.GetProperty("state").GetString());
        var request = requested.GetProperty("pendingRequest");
        Assert.Equal("ada@example.test", request.GetProperty("requestedBy").GetString());
        Assert.Equal(2, request.GetProperty("requiredApprovals").GetInt32());
        var requestId = request.GetProperty("id").GetInt64();

        // Four eyes: not the requester.
        var own = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync($"/api/v1/promotion-requests/{requestId}/approve", new { }, Ct),
            HttpStatusCode.Conflict
        );
        Assert.Equal("own-request", own.GetProperty("code").GetString());
        // No rollback proven yet: approving needs a written override, and says which criterion fails.
        var needsOverride = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync($"/api/v1/promotion-requests/{requestId}/approve", new { }, Ct),
            HttpStatusCode.Conflict
        );
        Assert.Equal("override-required", needsOverride.GetProperty("code").GetString());
        Assert.Contains(
            "rollback",
            needsOverride.GetProperty("detail").GetString(),
            StringComparison.OrdinalIgnoreCase
        );

        var approved = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(
                $"/api/v1/promotion-requests/{requestId}/approve",
                new { overrideReason = "rollback drill booked for Monday" },
                Ct
            ),
            HttpStatusCode.OK
        );
        Assert.Equal("manual", approved.GetProperty("state").GetString()); // one of two approvals
        Assert.Single(approved.GetProperty("pendingRequest").GetProperty("approvals").EnumerateArray());
        var again = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(
                $"/api/v1/promotion-requests/{requestId}/approve",
                new { overrideReason = "x" },
                Ct
            ),
            HttpStatusCode.Conflict
        );
        Assert.Equal("already-approved", again.GetProperty("code").GetString());

        // The second distinct approver is an admin signed in for the purpose.
        await fixture
            .App.Services.GetRequiredService<UserAdministration>()
            .CreateAsync("cy@example.test", Roles.Admin, PromotionApiFixture.Password, AuditActor.System);
        using var cy = await SignIn.SignedInClientAsync(fixture.App, "cy@example.test", PromotionApiFixture.Password);
        var continuous = await JsonAsync(
            await cy.PostAsJsonAsync(
                $"/api/v1/promotion-requests/{requestId}/approve",
                new { overrideReason = "same drill" },
                Ct
            ),
            HttpStatusCode.OK
        );
        Assert.Equal("continuous", continuous.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, continuous.GetProperty("pendingRequest").ValueKind);

        var gate = await JsonAsync(
            await fixture.Key.GetAsync($"/api/v1/gates/{slug}/production", Ct),
            HttpStatusCode.OK
        );
        Assert.True(gate.GetProperty("mayAutoPromote").GetBoolean());

        var paused = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync(Path(slug, "/pause"), new { reason = "odd latency" }, Ct),
            HttpStatusCode.OK
        );
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.Equal("odd latency", paused.GetProperty("reason").GetString());
        Assert.False(
            (await JsonAsync(await fixture.Key.GetAsync($"/api/v1/gates/{slug}/production", Ct), HttpStatusCode.OK))
                .GetProperty("mayAutoPromote")
                .GetBoolean()
        );

        Assert.Equal(
            [
                "promotion.requested",
                "promotion.approved-with-override",
                "promotion.approved-with-override",
                "promotion.continuous",
                "promotion.paused",
            ],
            await PromotionAuditAsync(productionId)
        );
    }

    [Fact]
    public async Task A_viewer_and_an_api_key_are_refused_every_change_and_nothing_is_stored()
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);
        var requestId = (
            await JsonAsync(
                await fixture.Ada.PostAsJsonAsync(Path(slug, "/manual"), new { reason = "set up" }, Ct),
                HttpStatusCode.OK
            )
        ).GetProperty("state");
        Assert.Equal("manual", requestId.GetString());
        var pending = (
            await JsonAsync(
                await fixture.Ada.PostAsJsonAsync(Path(slug, "/request"), new { reason = "ready" }, Ct),
                HttpStatusCode.OK
            )
        )
            .GetProperty("pendingRequest")
            .GetProperty("id")
            .GetInt64();
        var before = await PromotionAuditAsync(productionId);

        foreach (var (who, client) in new[] { ("viewer", fixture.Viewer), ("key", fixture.Key) })
        {
            foreach (
                var (path, body) in new (string, object)[]
                {
                    (Path(slug, "/request"), new { reason = "r" }),
                    (Path(slug, "/pause"), new { reason = "r" }),
                    (Path(slug, "/manual"), new { reason = "r" }),
                    ($"/api/v1/promotion-requests/{pending}/approve", new { overrideReason = "r" }),
                    ($"/api/v1/promotion-requests/{pending}/reject", new { reason = "r" }),
                    ("/api/v1/stop-the-line", new { reason = "r" }),
                }
            )
            {
                var response = await client.PostAsJsonAsync(path, body, Ct);
                Assert.True(
                    response.StatusCode == HttpStatusCode.Forbidden,
                    $"{who} POST {path}: {(int)response.StatusCode}"
                );
            }
            // Reading is allowed to both.
            await JsonAsync(await client.GetAsync(Path(slug), Ct), HttpStatusCode.OK);
        }

        Assert.Equal(before, await PromotionAuditAsync(productionId));
        await using var db = await fixture.DbAsync();
        Assert.Empty(await db.PromotionApprovals.Where(a => a.RequestId == pending).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_approver_whose_role_was_taken_away_after_signing_in_is_refused_at_once()
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);
        var users = fixture.App.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("dee@example.test", Roles.Approver, PromotionApiFixture.Password, AuditActor.System);
        using var dee = await SignIn.SignedInClientAsync(fixture.App, "dee@example.test", PromotionApiFixture.Password);
        await JsonAsync(await dee.GetAsync(Path(slug), Ct), HttpStatusCode.OK);

        Assert.True((await users.SetRoleAsync("dee@example.test", Roles.Viewer, AuditActor.System)).Succeeded);
        var refused = await JsonAsync(
            await dee.PostAsJsonAsync(Path(slug, "/pause"), new { reason = "still an approver?" }, Ct),
            HttpStatusCode.Forbidden
        );

        Assert.Contains("Approver role", refused.GetProperty("detail").GetString());
        Assert.Empty(await PromotionAuditAsync(productionId));
    }

    [Fact]
    public async Task If_match_with_a_stale_etag_changes_nothing_and_a_fresh_one_acts()
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);
        var read = await fixture.Ada.GetAsync(Path(slug), Ct);
        var etag = read.Headers.ETag!.Tag;
        await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(Path(slug, "/pause"), new { reason = "Ben was faster" }, Ct),
            HttpStatusCode.OK
        );

        using var stale = new HttpRequestMessage(HttpMethod.Post, Path(slug, "/manual"))
        {
            Content = JsonContent.Create(new { reason = "on what I saw" }),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        var refused = await JsonAsync(await fixture.Ada.SendAsync(stale, Ct), HttpStatusCode.PreconditionFailed);
        Assert.Equal("changed-meanwhile", refused.GetProperty("code").GetString());
        Assert.Equal(["promotion.paused"], await PromotionAuditAsync(productionId));

        var fresh = (await fixture.Ada.GetAsync(Path(slug), Ct)).Headers.ETag!.Tag;
        Assert.NotEqual(etag, fresh);
        using var current = new HttpRequestMessage(HttpMethod.Post, Path(slug, "/manual"))
        {
            Content = JsonContent.Create(new { reason = "on what I saw now" }),
        };
        current.Headers.TryAddWithoutValidation("If-Match", fresh);
        Assert.Equal(
            "manual",
            (await JsonAsync(await fixture.Ada.SendAsync(current, Ct), HttpStatusCode.OK))
                .GetProperty("state")
                .GetString()
        );
    }

    [Fact]
    public async Task Bad_requests_name_what_is_wrong_and_store_nothing()
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);

        var noReason = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync(Path(slug, "/pause"), new { reason = " " }, Ct),
            HttpStatusCode.BadRequest
        );
        Assert.True(noReason.GetProperty("errors").TryGetProperty("reason", out _));
        using var notJson = new StringContent(
            "reason=x",
            System.Text.Encoding.UTF8,
            "application/x-www-form-urlencoded"
        );
        Assert.Equal(
            HttpStatusCode.UnsupportedMediaType,
            (await fixture.Ada.PostAsync(Path(slug, "/pause"), notJson, Ct)).StatusCode
        );
        using var broken = new StringContent("{\"reason\":", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await fixture.Ada.PostAsync(Path(slug, "/pause"), broken, Ct)).StatusCode
        );
        using var badEtag = new HttpRequestMessage(HttpMethod.Post, Path(slug, "/pause"))
        {
            Content = JsonContent.Create(new { reason = "x" }),
        };
        badEtag.Headers.TryAddWithoutValidation("If-Match", "\"not-a-stamp\"");
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Ada.SendAsync(badEtag, Ct)).StatusCode);
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await fixture.Ada.PostAsJsonAsync(
                    $"/api/v1/environments/{slug}/nowhere/promotion/pause",
                    new { reason = "x" },
                    Ct
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await fixture.Ada.PostAsJsonAsync("/api/v1/promotion-requests/999999/approve", new { }, Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await fixture.Ada.PostAsJsonAsync("/api/v1/stop-the-line", new { reason = "x", team = "nobody" }, Ct)
            ).StatusCode
        );
        var notAllowed = await JsonAsync(
            await fixture.Ada.PostAsJsonAsync(Path(slug, "/request"), new { reason = "already" }, Ct),
            HttpStatusCode.Conflict
        );
        Assert.Equal("already-continuous", notAllowed.GetProperty("code").GetString());

        Assert.Empty(await PromotionAuditAsync(productionId));
    }

    [Fact]
    public async Task Stop_the_line_for_a_team_pauses_its_continuous_environments()
    {
        var (_, first) = await fixture.ServiceAsync(PromotionMode.Continuous);
        var (_, second) = await fixture.ServiceAsync(PromotionMode.Continuous);

        var stopped = await JsonAsync(
            await fixture.Ben.PostAsJsonAsync(
                "/api/v1/stop-the-line",
                new { reason = "payment provider down", team = "shop" },
                Ct
            ),
            HttpStatusCode.OK
        );

        // both services' staging and production, and any other continuous shop stage
        Assert.True(stopped.GetProperty("paused").GetInt32() >= 4);
        await using var db = await fixture.DbAsync();
        Assert.All(await db.Environments.Where(e => e.Id == first || e.Id == second).ToListAsync(Ct), e =>
            Assert.Equal(PromotionMode.Paused, e.PromotionMode)
        );
    }

    [Fact]
    public async Task Stop_the_line_asks_who_acts_before_it_says_whether_a_team_exists()
    {
        var viewer = await fixture.Viewer.PostAsJsonAsync(
            "/api/v1/stop-the-line",
            new { reason = "x", team = "no-such-team" },
            Ct
        );
        var approver = await fixture.Ada.PostAsJsonAsync(
            "/api/v1/stop-the-line",
            new { reason = "x", team = "no-such-team" },
            Ct
        );

        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, approver.StatusCode);
    }

    [Theory]
    [InlineData("Origin", "https://elsewhere.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task A_change_a_browser_marks_as_from_another_site_is_refused(string header, string value)
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);
        using var forged = new HttpRequestMessage(HttpMethod.Post, Path(slug, "/pause"))
        {
            Content = JsonContent.Create(new { reason = "forged" }),
        };
        forged.Headers.TryAddWithoutValidation(header, value);

        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Ada.SendAsync(forged, Ct)).StatusCode);
        Assert.Empty(await PromotionAuditAsync(productionId));

        using var own = new HttpRequestMessage(HttpMethod.Post, Path(slug, "/pause"))
        {
            Content = JsonContent.Create(new { reason = "from our page" }),
        };
        own.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        own.Headers.TryAddWithoutValidation("Origin", fixture.Ada.BaseAddress!.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Ada.SendAsync(own, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_service_slug_two_teams_use_is_named_with_its_team()
    {
        var (slug, productionId) = await fixture.ServiceAsync(PromotionMode.Continuous);
        await using (var db = await fixture.DbAsync())
        {
            var other = new Team
            {
                Slug = "other-" + slug,
                Name = "Other",
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            };
            db.Add(
                new ServiceEnvironment
                {
                    Name = "production",
                    Order = 0,
                    IsProduction = true,
                    Service = new Service
                    {
                        Slug = slug,
                        Name = slug,
                        Team = other,
                    },
                }
            );
            await db.SaveChangesAsync(Ct);
        }

        var ambiguous = await fixture.Ada.PostAsJsonAsync(Path(slug, "/pause"), new { reason = "which one?" }, Ct);
        var named = await fixture.Ada.PostAsJsonAsync(
            Path(slug, "/pause") + "?team=shop",
            new { reason = "this one" },
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        Assert.Equal("paused", (await JsonAsync(named, HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.Equal(["promotion.paused"], await PromotionAuditAsync(productionId));
    }
}
