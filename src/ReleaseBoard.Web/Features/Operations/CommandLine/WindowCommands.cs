using System.CommandLine;
using System.Globalization;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Operations.CommandLine;

public static partial class ReleaseBoardCommandLine
{
    /// <summary>`windows add|list|remove`: an environment's recurring allow and deny windows.</summary>
    private static Command WindowCommands(TextWriter output, TextWriter error)
    {
        var team = new Option<string>("--team") { Description = "The team's slug.", Required = true };
        var service = new Option<string>("--service") { Description = "The service's slug.", Required = true };
        var environment = new Option<string>("--environment")
        {
            Description = "The environment's name.",
            Required = true,
        };
        var allow = new Option<string?>("--allow")
        {
            Description = "Promote on its own only inside this window, e.g. \"Mon-Thu 09:00-16:00\" (team's zone).",
        };
        var deny = new Option<string?>("--deny")
        {
            Description = "Never promote on its own inside this window, e.g. \"Fri 16:00 - Mon 08:00\".",
        };
        var reason = new Option<string?>("--reason") { Description = "Why (shown where it blocks)." };
        var add = new Command("add", "Add an allow or a deny window to an environment.")
        {
            team,
            service,
            environment,
            allow,
            deny,
            reason,
        };
        add.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var (allowRule, denyRule) = (parse.GetValue(allow), parse.GetValue(deny));
                    if ((allowRule is null) == (denyRule is null))
                        return Report(false, "Give exactly one of --allow and --deny.", null, error);
                    var windows = services.GetRequiredService<DeploymentWindows>();
                    var place = await windows.FindAsync(
                        parse.GetValue(team)!,
                        parse.GetValue(service),
                        parse.GetValue(environment),
                        ct
                    );
                    if (place?.EnvironmentId is not { } environmentId)
                        return Report(false, "There is no such team, service and environment.", null, error);
                    var result = await windows.AddWindowAsync(
                        CommandLineActor,
                        environmentId,
                        allowRule is null ? WindowKind.Deny : WindowKind.Allow,
                        allowRule ?? denyRule,
                        parse.GetValue(reason),
                        ct
                    );
                    if (result.Succeeded)
                        output.WriteLine(result.Value.ToString(CultureInfo.InvariantCulture));
                    var state = result.Succeeded ? await windows.StateAsync(environmentId, ct) : null;
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Added window {result.Value}; {(state is null ? "" : Describe(state))}",
                        error
                    );
                }));

        var list = new Command("list", "Every window: id, team/service/environment, allow or deny, rule, reason.");
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var w in await services.GetRequiredService<DeploymentWindows>().ListWindowsAsync(ct))
                        output.WriteLine(
                            string.Join(
                                '\t',
                                w.Id.ToString(CultureInfo.InvariantCulture),
                                $"{w.Team}/{w.Service}/{w.Environment}",
                                w.Kind == WindowKind.Allow ? "allow" : "deny",
                                w.Rule,
                                w.Reason ?? ""
                            )
                        );
                    return 0;
                }));

        var id = new Option<int>("--id")
        {
            Description = "The window's id, as `windows list` shows it.",
            Required = true,
        };
        var remove = new Command("remove", "Remove a window.") { id };
        remove.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<DeploymentWindows>()
                        .RemoveWindowAsync(CommandLineActor, parse.GetValue(id), ct);
                    return Report(result.Succeeded, result.Error, $"Removed window {parse.GetValue(id)}.", error);
                }));
        return new Command("windows", "When an environment may promote on its own (policy: audited).")
        {
            add,
            list,
            remove,
        };
    }

    /// <summary>`freezes add|list|cancel`: planned stops of the line for an environment, a team or everyone.</summary>
    private static Command FreezeCommands(TextWriter output, TextWriter error)
    {
        var everyone = new Option<bool>("--everyone") { Description = "Freeze every team (times in UTC)." };
        var team = new Option<string?>("--team") { Description = "Freeze this team (times in its zone)." };
        var service = new Option<string?>("--service") { Description = "With --team: only this service's …" };
        var environment = new Option<string?>("--environment") { Description = "… environment." };
        var from = new Option<string>("--from")
        {
            Description = "Start, \"yyyy-MM-ddTHH:mm\" in the team's zone (UTC with --everyone).",
            Required = true,
        };
        var to = new Option<string>("--to") { Description = "End, like --from.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the line stops.", Required = true };
        var add = new Command("add", "Schedule a freeze.") { everyone, team, service, environment, from, to, reason };
        add.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var windows = services.GetRequiredService<DeploymentWindows>();
                    FreezeScope scope;
                    TimeZoneInfo zone;
                    if (parse.GetValue(everyone) == (parse.GetValue(team) is not null))
                        return Report(false, "Give --everyone or --team.", null, error);
                    if (parse.GetValue(team) is { } teamSlug)
                    {
                        var place = await windows.FindAsync(
                            teamSlug,
                            parse.GetValue(service),
                            parse.GetValue(environment),
                            ct
                        );
                        if (place is null)
                            return Report(false, "There is no such team (or service and environment).", null, error);
                        scope = place.EnvironmentId is { } environmentId
                            ? new FreezeScope(null, environmentId)
                            : new FreezeScope(place.TeamId, null);
                        zone = place.Zone;
                    }
                    else
                    {
                        scope = FreezeScope.Everyone;
                        zone = TimeZoneInfo.Utc;
                    }
                    if (!LocalTimeInput.TryParse(parse.GetValue(from), zone, out var startsAt, out var fromError))
                        return Report(false, $"--from: {fromError}", null, error);
                    if (!LocalTimeInput.TryParse(parse.GetValue(to), zone, out var endsAt, out var toError))
                        return Report(false, $"--to: {toError}", null, error);
                    var result = await windows.ScheduleFreezeAsync(
                        CommandLineActor,
                        scope,
                        startsAt,
                        endsAt,
                        parse.GetValue(reason),
                        ct
                    );
                    if (result.Succeeded)
                        output.WriteLine(result.Value.ToString(CultureInfo.InvariantCulture));
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Scheduled freeze {result.Value}: {startsAt:yyyy-MM-dd HH:mm}–{endsAt:yyyy-MM-dd HH:mm} UTC.",
                        error
                    );
                }));

        var list = new Command("list", "Freezes not over yet: id, scope, start and end (UTC), reason.");
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var f in await services.GetRequiredService<DeploymentWindows>().ListFreezesAsync(ct))
                        output.WriteLine(
                            string.Join(
                                '\t',
                                f.Id.ToString(CultureInfo.InvariantCulture),
                                f.Scope,
                                f.StartsAt.ToString("u", CultureInfo.InvariantCulture),
                                f.EndsAt.ToString("u", CultureInfo.InvariantCulture),
                                f.Reason
                            )
                        );
                    return 0;
                }));

        var id = new Option<int>("--id")
        {
            Description = "The freeze's id, as `freezes list` shows it.",
            Required = true,
        };
        var cancel = new Command("cancel", "Cancel a freeze; the line runs again at once.") { id };
        cancel.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<DeploymentWindows>()
                        .CancelFreezeAsync(CommandLineActor, parse.GetValue(id), ct);
                    return Report(result.Succeeded, result.Error, $"Cancelled freeze {parse.GetValue(id)}.", error);
                }));
        return new Command("freezes", "Scheduled freezes: a planned stop of the line (policy: audited).")
        {
            add,
            list,
            cancel,
        };
    }

    private static string Describe(WindowState state) =>
        state.Open
            ? "open now" + (state.ClosesAt is { } closes ? $", closes {state.Say(closes)}." : ".")
            : state.Closed();
}
