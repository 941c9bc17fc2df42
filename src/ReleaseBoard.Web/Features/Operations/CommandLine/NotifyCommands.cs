using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Operations.CommandLine;

public static partial class ReleaseBoardCommandLine
{
    /// <summary>`notify add|list|remove|test`: where teams hear what happened.</summary>
    private static Command NotifyCommands(TextReader input, TextWriter output, TextWriter error)
    {
        var team = new Option<string?>("--team") { Description = "The team's slug; without it, every team." };
        var kind = new Option<string>("--kind")
        {
            Description = "slack (incoming webhook), teams (Workflows webhook) or json (signed).",
            Required = true,
        };
        kind.AcceptOnlyFromAmong("slack", "teams", "json");
        var name = new Option<string>("--name") { Description = "A name people know it by.", Required = true };
        var events = new Option<string?>("--events")
        {
            Description =
                "Comma-separated events; without it, all: "
                + string.Join(", ", NotificationEvents.All.Select(e => e.Code))
                + ".",
        };
        var add = new Command(
            "add",
            "Add a target. The webhook address is read from standard input (it carries a token); a json target's "
                + "signing secret is made and printed once."
        )
        {
            team,
            kind,
            name,
            events,
        };
        add.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    int? teamId = null;
                    if (parse.GetValue(team) is { } slug)
                    {
                        await using var db = await services
                            .GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                            .CreateDbContextAsync(ct);
                        teamId = await db
                            .Teams.Where(t => t.Slug == slug)
                            .Select(t => (int?)t.Id)
                            .SingleOrDefaultAsync(ct);
                        if (teamId is null)
                            return Report(false, $"There is no team \"{slug}\".", null, error);
                    }
                    var address = ReadPassword(input, error, "Webhook address: ");
                    var result = await services
                        .GetRequiredService<NotificationTargets>()
                        .AddAsync(
                            CommandLineActor,
                            teamId,
                            parse.GetValue(kind) switch
                            {
                                "teams" => NotificationKind.Teams,
                                "json" => NotificationKind.Json,
                                _ => NotificationKind.Slack,
                            },
                            parse.GetValue(name),
                            address,
                            parse.GetValue(events) is { } given ? [given] : null,
                            null,
                            ct
                        );
                    if (result.Succeeded && result.Value.Secret is { } secret)
                        output.WriteLine(secret);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Added target {result.Value.Id.ToString(CultureInfo.InvariantCulture)}; the address cannot "
                            + "be shown again. Try it: notify test --id "
                            + result.Value.Id.ToString(CultureInfo.InvariantCulture),
                        error
                    );
                }));

        var list = new Command("list", "Every target: id, name, kind, team, address (shortened), events.");
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var target in await services.GetRequiredService<NotificationTargets>().ListAsync(ct))
                        output.WriteLine(
                            string.Join(
                                '\t',
                                target.Id.ToString(CultureInfo.InvariantCulture),
                                target.Name,
                                target.Kind,
                                target.Team,
                                target.Shown,
                                target.Events.Count == 0 ? "all" : string.Join(',', target.Events)
                            )
                        );
                    return 0;
                }));

        var id = new Option<int>("--id")
        {
            Description = "The target's id, as `notify list` shows it.",
            Required = true,
        };
        var remove = new Command("remove", "Remove a target; what it still owed is cancelled.") { id };
        remove.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<NotificationTargets>()
                        .RemoveAsync(CommandLineActor, parse.GetValue(id), ct);
                    return Report(result.Succeeded, result.Error, "Removed.", error);
                }));

        var test = new Command("test", "Send a test message now and say what the receiver answered.") { id };
        test.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<NotificationTargets>()
                        .SendTestAsync(
                            CommandLineActor,
                            parse.GetValue(id),
                            services.GetRequiredService<IOptions<TransportOptions>>().Value.PublicBase,
                            ct
                        );
                    return Report(result.Succeeded, result.Error, result.Value, error);
                }));
        return new Command("notify", "Where teams hear what ReleaseBoard did (Slack, Teams, signed JSON).")
        {
            add,
            list,
            remove,
            test,
        };
    }
}
