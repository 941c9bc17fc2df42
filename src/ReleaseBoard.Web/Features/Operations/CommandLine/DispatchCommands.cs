using System.CommandLine;
using System.Globalization;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Operations.CommandLine;

public static partial class ReleaseBoardCommandLine
{
    /// <summary>`dispatch set|list|retry`: where an environment's promotions are started, and a resend.</summary>
    private static Command DispatchCommands(TextReader input, TextWriter output, TextWriter error)
    {
        var team = new Option<string>("--team") { Description = "The team's slug.", Required = true };
        var service = new Option<string>("--service") { Description = "The service's slug.", Required = true };
        var environment = new Option<string>("--environment")
        {
            Description = "The environment's name.",
            Required = true,
        };
        var url = new Option<string>("--url")
        {
            Description = "The receiver: ReleaseBoard POSTs the signed promotion there.",
            Required = true,
        };
        var generate = new Option<bool>("--generate")
        {
            Description = "Make a signing secret and print it once. Without it the secret is read from standard input.",
        };
        var set = new Command("set", "Start this environment's promotions with a signed HTTP POST.")
        {
            team,
            service,
            environment,
            url,
            generate,
        };
        set.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var place = await services
                        .GetRequiredService<DeploymentWindows>()
                        .FindAsync(parse.GetValue(team)!, parse.GetValue(service), parse.GetValue(environment), ct);
                    if (place?.EnvironmentId is not { } environmentId)
                        return Report(false, "There is no such team, service and environment.", null, error);
                    var secret = parse.GetValue(generate) ? null : ReadPassword(input, error, "Signing secret: ");
                    if (!parse.GetValue(generate) && string.IsNullOrWhiteSpace(secret))
                        return Report(
                            false,
                            "Give the signing secret on standard input, or --generate one.",
                            null,
                            error
                        );
                    var result = await services
                        .GetRequiredService<DispatchTargets>()
                        .SetHttpAsync(CommandLineActor, environmentId, parse.GetValue(url), secret, ct);
                    if (result.Succeeded && result.Value is { } generated)
                        output.WriteLine(generated);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        "Set. Continuous promotions of that environment are POSTed there, signed in "
                            + $"{DispatchSignature.Header}; the secret cannot be shown again.",
                        error
                    );
                }));

        var list = new Command("list", "Every dispatch target: environment, kind, address (never the secret).");
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var target in await services.GetRequiredService<DispatchTargets>().ListAsync(ct))
                        output.WriteLine(string.Join('\t', target.Where, target.Kind, target.Url));
                    return 0;
                }));

        var outbox = new Command("outbox", "The latest 50 dispatches: id, environment, version, state, attempts, why.");
        outbox.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var m in await services.GetRequiredService<DispatchTargets>().ListMessagesAsync(50, ct))
                        output.WriteLine(
                            string.Join(
                                '\t',
                                m.Id.ToString(CultureInfo.InvariantCulture),
                                m.Where,
                                m.Version,
                                m.State,
                                m.Attempts.ToString(CultureInfo.InvariantCulture),
                                m.Problem ?? ""
                            )
                        );
                    return 0;
                }));

        var id = new Option<long>("--id")
        {
            Description = "The outbox message's id, as `dispatch outbox` shows it.",
            Required = true,
        };
        var retry = new Command("retry", "Send a failed or dead-lettered dispatch again, with a fresh budget.") { id };
        retry.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<DispatchTargets>()
                        .RetryAsync(CommandLineActor, parse.GetValue(id), ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Message {parse.GetValue(id).ToString(CultureInfo.InvariantCulture)} will be sent again.",
                        error
                    );
                }));
        return new Command("dispatch", "ReleaseBoard starting promotions itself (policy: audited).")
        {
            set,
            list,
            outbox,
            retry,
        };
    }
}
