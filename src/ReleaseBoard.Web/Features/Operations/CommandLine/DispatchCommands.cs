using System.CommandLine;
using System.Globalization;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Operations.CommandLine;

public static partial class ReleaseBoardCommandLine
{
    /// <summary>`dispatch set|list|remove`: where an environment's promotions are started, and a resend.</summary>
    private static Command DispatchCommands(TextReader input, TextWriter output, TextWriter error)
    {
        var team = new Option<string>("--team") { Description = "The team's slug.", Required = true };
        var service = new Option<string>("--service") { Description = "The service's slug.", Required = true };
        var environment = new Option<string>("--environment")
        {
            Description = "The environment's name.",
            Required = true,
        };
        var kind = new Option<string>("--kind")
        {
            Description = "http (a signed POST), github (workflow_dispatch) or gitlab (pipeline trigger).",
            DefaultValueFactory = _ => "http",
        };
        kind.AcceptOnlyFromAmong("http", "github", "gitlab");
        var url = new Option<string?>("--url") { Description = "http: the receiver ReleaseBoard POSTs to." };
        var repository = new Option<string?>("--repository") { Description = "github: owner/name." };
        var workflow = new Option<string?>("--workflow")
        {
            Description = "github: the workflow file, e.g. deploy.yml.",
        };
        var project = new Option<string?>("--project") { Description = "gitlab: the project's id or path." };
        var gitRef = new Option<string?>("--ref") { Description = "github, gitlab: the branch or tag to run on." };
        var generate = new Option<bool>("--generate")
        {
            Description =
                "http: make a signing secret and print it once. Without it the secret (gitlab: the trigger "
                + "token) is read from standard input.",
        };
        var set = new Command("set", "Where this environment's promotions are started.")
        {
            team,
            service,
            environment,
            kind,
            url,
            repository,
            workflow,
            project,
            gitRef,
            generate,
        };
        set.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var place = await services
                        .GetRequiredService<DeploymentWindows>()
                        .FindAsync(parse.GetValue(team)!, parse.GetValue(service), parse.GetValue(environment), ct);
                    if (place?.EnvironmentId is not { } environmentId)
                        return Report(false, "There is no such team, service and environment.", null, error);
                    var dispatch = services.GetRequiredService<DispatchTargets>();
                    switch (parse.GetValue(kind))
                    {
                        case "github":
                        {
                            var github = await dispatch.SetGitHubAsync(
                                CommandLineActor,
                                environmentId,
                                parse.GetValue(repository),
                                parse.GetValue(workflow),
                                parse.GetValue(gitRef),
                                ct
                            );
                            return Report(
                                github.Succeeded,
                                github.Error,
                                "Set. Promotions run that workflow (the token comes from Dispatch:GitHub:Token).",
                                error
                            );
                        }
                        case "gitlab":
                        {
                            var token = ReadPassword(input, error, "Trigger token: ");
                            var gitlab = await dispatch.SetGitLabAsync(
                                CommandLineActor,
                                environmentId,
                                parse.GetValue(project),
                                parse.GetValue(gitRef),
                                token,
                                ct
                            );
                            return Report(
                                gitlab.Succeeded,
                                gitlab.Error,
                                "Set. Promotions trigger that pipeline; the token is kept protected.",
                                error
                            );
                        }
                    }
                    var secret = parse.GetValue(generate) ? null : ReadPassword(input, error, "Signing secret: ");
                    if (!parse.GetValue(generate) && string.IsNullOrWhiteSpace(secret))
                        return Report(
                            false,
                            "Give the signing secret on standard input, or --generate one.",
                            null,
                            error
                        );
                    var result = await dispatch.SetHttpAsync(
                        CommandLineActor,
                        environmentId,
                        parse.GetValue(url),
                        secret,
                        ct
                    );
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
                        output.WriteLine(string.Join('\t', target.Where, target.Target));
                    return 0;
                }));

        var remove = new Command("remove", "Stop starting this environment's promotions.")
        {
            team,
            service,
            environment,
        };
        remove.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var place = await services
                        .GetRequiredService<DeploymentWindows>()
                        .FindAsync(parse.GetValue(team)!, parse.GetValue(service), parse.GetValue(environment), ct);
                    if (place?.EnvironmentId is not { } environmentId)
                        return Report(false, "There is no such team, service and environment.", null, error);
                    var result = await services
                        .GetRequiredService<DispatchTargets>()
                        .RemoveAsync(CommandLineActor, environmentId, ct);
                    return Report(result.Succeeded, result.Error, "Removed: pipelines ask the gate again.", error);
                }));
        return new Command("dispatch", "ReleaseBoard starting promotions itself (policy: audited).")
        {
            set,
            list,
            remove,
        };
    }

    /// <summary>`outbox list|retry`: what was told to other systems and people, and a resend.</summary>
    private static Command OutboxCommands(TextWriter output, TextWriter error)
    {
        var list = new Command(
            "list",
            "The latest 50 messages: id, environment or target, version or event, state, attempts, why."
        );
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (var m in await services.GetRequiredService<Outbox>().ListAsync(50, ct))
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
            Description = "The outbox message's id, as `outbox list` shows it.",
            Required = true,
        };
        var retry = new Command("retry", "Send a failed or dead-lettered message again, with a fresh budget.") { id };
        retry.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<Outbox>()
                        .RetryAsync(CommandLineActor, parse.GetValue(id), ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Message {parse.GetValue(id).ToString(CultureInfo.InvariantCulture)} will be sent again.",
                        error
                    );
                }));
        return new Command("outbox", "Dispatches and notifications on their way: list them, retry a dead letter.")
        {
            list,
            retry,
        };
    }
}
