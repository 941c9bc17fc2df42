using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Features.Dispatch;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Admin;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Notifications;

/// <summary>Admins set targets: the address is taken once and never shown again; a test shows the answer.</summary>
public class NotificationsPageTests : AppBunitContext
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private async Task SignInAsync(string role)
    {
        var users = App.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (await users.CreateAsync("ada@example.test", role, "a long enough passphrase", AuditActor.System)).Succeeded
        );
        // The claims say Admin whatever the store says: the page must ask the store at the moment of the action.
        await SignInAsync(UseAppServices(), "ada@example.test", role, Policies.Admin, Policies.Record, Policies.View);
    }

    private static IRenderedComponent<NotificationsPage> Add(
        IRenderedComponent<NotificationsPage> page,
        NotificationKind kind,
        string url
    )
    {
        var select = page.FindComponents<MudSelect<NotificationKind>>().Single();
        page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(kind));
        page.Find("input[data-testid=notification-name]").Change("#payments");
        page.Find("input[data-testid=notification-url]").Change(url);
        page.WaitForAssertion(() => page.Find("[data-testid=notification-add]").Click());
        return page;
    }

    [Fact]
    public async Task An_admin_adds_a_Slack_target_sends_a_test_and_never_sees_the_address_again()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await SignInAsync(Roles.Admin);
        var page = Render<NotificationsPage>();

        Add(page, NotificationKind.Slack, $"{receiver.BaseUrl}/services/T0/B0/sekrit");
        page.WaitForAssertion(() => Assert.Contains("Target added", page.Markup));
        Assert.Contains($"{receiver.BaseUrl}/…", page.Find("[data-testid=notification-targets]").TextContent);
        Assert.DoesNotContain("sekrit", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=notification-secret]"));

        await using (var db = await DbAsync())
        {
            var id = (await db.NotificationTargets.SingleAsync(Ct)).Id;
            page.Find($"[data-testid=notification-test-{id}]").Click();
        }
        page.WaitForAssertion(
            () => Assert.Contains("answered HTTP 200", page.Find("[data-testid=notifications-done]").TextContent),
            TimeSpan.FromSeconds(10)
        );
        Assert.Equal("/services/T0/B0/sekrit", Assert.Single(receiver.Requests).Path);
    }

    [Fact]
    public async Task A_JSON_target_shows_its_generated_secret_once()
    {
        await SignInAsync(Roles.Admin);
        var page = Render<NotificationsPage>();

        Add(page, NotificationKind.Json, "https://hooks.example.test/releaseboard");

        var secret = page.WaitForElement("[data-testid=notification-secret]").TextContent;
        Assert.StartsWith("rbn_", secret);
        var again = Render<NotificationsPage>();
        Assert.DoesNotContain(secret, again.Markup);
    }

    [Fact]
    public async Task An_approver_whose_sign_in_claims_admin_adds_no_target()
    {
        await SignInAsync(Roles.Approver);
        var page = Render<NotificationsPage>();

        Add(page, NotificationKind.Slack, "https://hooks.slack.test/services/T0/B0/x");

        page.WaitForAssertion(() =>
            Assert.Contains("needs the Admin role", page.Find("[data-testid=notifications-error]").TextContent)
        );
        await using var db = await DbAsync();
        Assert.Equal(0, await db.NotificationTargets.CountAsync(Ct));
    }

    [Fact]
    public async Task A_dead_lettered_message_is_listed_and_an_admin_retries_it()
    {
        await SignInAsync(Roles.Admin);
        await using (var db = await DbAsync())
        {
            db.OutboxMessages.Add(
                new OutboxMessage
                {
                    Kind = OutboxKind.Notification,
                    Key = "notify/9/stop-the-line/x",
                    TargetId = 9,
                    Event = "stop-the-line",
                    Payload = "{}",
                    State = OutboxState.DeadLettered,
                    Attempts = 20,
                    LastError = "gave up after 20 attempts: HTTP 503",
                    CreatedAt = new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc),
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        var page = Render<NotificationsPage>();
        var outbox = page.Find("[data-testid=outbox]").TextContent;
        Assert.Contains("stop-the-line", outbox);
        Assert.Contains("(removed target)", outbox);
        Assert.Contains("gave up after 20 attempts: HTTP 503", outbox);

        page.Find("[data-testid^=outbox-retry-]").Click();

        page.WaitForAssertion(() => Assert.Contains("queued again", page.Markup));
        await using var check = await DbAsync();
        var message = await check.OutboxMessages.SingleAsync(Ct);
        Assert.Equal((OutboxState.Pending, 0), (message.State, message.Attempts));
    }
}
