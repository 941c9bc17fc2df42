using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>
/// The tool-side configuration the README gives (Flagger, Argo Rollouts, Azure DevOps, GitLab), parsed from the
/// README itself and checked against real answers of the app: each condition is evaluated by a strict evaluator of
/// exactly the forms the README uses, which refuses any other form rather than guess. The tools do not run here.
/// </summary>
public sealed partial class DeliveryToolDocsTests : IAsyncLifetime
{
    private const string ArgoToken = "argo rollouts token of payments";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _client = null!;
    private string _key = "";

    public async ValueTask InitializeAsync()
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
            var service = new Service
            {
                Slug = "payments-api",
                Name = "payments-api",
                Team = team,
                Workload = "podinfo",
            };
            db.AddRange(
                new ServiceEnvironment
                {
                    Name = "staging",
                    Order = 0,
                    Service = service,
                    Namespace = "test",
                },
                new ServiceEnvironment
                {
                    Name = "production",
                    Order = 1,
                    IsProduction = true,
                    Service = service,
                    Namespace = "prod",
                    PromotionMode = PromotionMode.Continuous,
                    PromotionModeChangedAt = DateTime.UtcNow.AddDays(-1),
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        var secrets = _app.Services.GetRequiredService<WebhookSecrets>();
        Assert.True(
            (
                await secrets.AddAsync(WebhookTool.ArgoRollouts, null, null, "payments", ArgoToken, AuditActor.System)
            ).Succeeded
        );
        _key = (
            await _app
                .Services.GetRequiredService<ApiKeyService>()
                .CreateAsync("gate-reader", "payments", false, AuditActor.System)
        ).Value!;
        _client = _app.CreateApiClient(null);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<ReleaseBoardDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    /// <summary>The fenced block after <c>&lt;!-- check: name --&gt;</c> in the README.</summary>
    private static string Block(string name)
    {
        var match = Regex.Match(
            Readme,
            $@"<!-- check: {name} -->\s*```[a-z]*\n(?<body>.*?)\n```",
            RegexOptions.Singleline
        );
        Assert.True(match.Success, $"README has no block {name}");
        return match.Groups["body"].Value;
    }

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        return ((YamlScalarNode)node).Value!;
    }

    /// <summary>The gate in three states: open, paused, and (for the version asked) not yet in staging.</summary>
    private async Task<JsonElement> GateAsync(string relativeUrl, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, relativeUrl);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        var response = await _client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }

    private async Task PauseAsync(bool paused)
    {
        await using var db = await DbAsync();
        await db
            .Environments.Where(e => e.Name == "production")
            .ExecuteUpdateAsync(
                u => u.SetProperty(e => e.PromotionMode, paused ? PromotionMode.Paused : PromotionMode.Continuous),
                Ct
            );
    }

    /// <summary>Asks the gate in each state with the URL a tool builds, and evaluates the tool's condition.</summary>
    private async Task<(bool? Open, bool? Paused, bool? Unsoaked)> EvaluateAsync(
        Func<string, string> urlFor,
        string authorization,
        Func<JsonElement, bool?> condition
    )
    {
        var open = condition(await GateAsync(urlFor(""), authorization));
        var unsoaked = condition(await GateAsync(urlFor("9.9.9"), authorization));
        await PauseAsync(true);
        var paused = condition(await GateAsync(urlFor(""), authorization));
        await PauseAsync(false);
        return (open, paused, unsoaked);
    }

    private static string RelativeUrl(string url) =>
        new Uri(url.Replace("https://releaseboard.example.com", "https://x")).PathAndQuery;

    [Fact]
    public async Task Argo_Rollouts_AnalysisTemplate_succeeds_on_an_open_gate_and_waits_on_a_closed_one()
    {
        var metric = (YamlMappingNode)((YamlSequenceNode)Yaml(Block("argo-analysis-template"))["spec"]["metrics"])[0];
        var web = metric["provider"]["web"];
        var jsonPath = Scalar(web, "jsonPath");
        var header = (YamlMappingNode)((YamlSequenceNode)web["headers"])[0];
        Assert.Equal("Authorization", Scalar(header, "key"));
        var authorization = Scalar(header, "value").Replace("{{args.releaseboard-key}}", _key);
        string UrlFor(string version) =>
            RelativeUrl(
                Scalar(web, "url")
                    .Replace("{{args.service}}", "payments-api")
                    .Replace("{{args.environment}}", "production")
                    .Replace("{{args.version}}", version)
            );
        // Waiting for the gate: an open answer ends it; an hour of closed ones, all within the failure limit, leaves it
        // inconclusive (the rollout pauses) rather than failed (the rollout aborts).
        var count = int.Parse(Scalar(metric, "count"));
        Assert.True(int.Parse(Scalar(metric, "failureLimit")) >= count, "a closed gate must not fail the analysis");
        Assert.Equal("1", Scalar(metric, "consecutiveSuccessLimit"));
        Assert.True(int.Parse(Scalar(metric, "consecutiveErrorLimit")) >= 10, "a restart must not fail it either");
        Assert.False(metric.Children.ContainsKey(new YamlScalarNode("failureCondition")));
        bool? Outcome(JsonElement gate) =>
            ArgoCondition(Scalar(metric, "successCondition"), ArgoJsonPath(jsonPath, gate));

        var outcomes = await EvaluateAsync(UrlFor, authorization, Outcome);

        Assert.Equal((true, false, false), outcomes);
    }

    [Fact]
    public async Task Azure_DevOps_success_criteria_pass_on_an_open_gate_only()
    {
        var check = Yaml(Block("azure-invoke-rest-api"));
        Assert.Equal(("GET", "ApiResponse"), (Scalar(check, "method"), Scalar(check, "completionEvent")));
        var headers = JsonDocument.Parse(Scalar(check, "headers").Replace("$(releaseboardKey)", _key)).RootElement;
        string UrlFor(string version) => Scalar(check, "urlSuffix").Replace("$(Build.BuildNumber)", version);

        var outcomes = await EvaluateAsync(UrlFor, headers.GetProperty("Authorization").GetString()!, gate =>
            AzureCriteria(Scalar(check, "successCriteria"), gate)
        );

        Assert.Equal((true, false, false), outcomes);
    }

    [Fact]
    public async Task The_GitLab_job_approves_only_when_its_jq_filter_passes_on_the_gates_answer()
    {
        var script = ((YamlSequenceNode)Yaml(Block("gitlab-approval-job"))["releaseboard-approval"]["script"])
            .Select(n => ((YamlScalarNode)n).Value!)
            .ToList();
        var all = string.Join("\n", script);
        var gateUrl = Regex.Match(all, "\"\\$RELEASEBOARD_URL(?<path>/api/v1/gates/[^\"]+)\"").Groups["path"].Value;
        var filter = Regex.Match(all, "jq -e '(?<filter>[^']+)' gate.json").Groups["filter"].Value;
        Assert.Contains("/deployments/$DEPLOYMENT_ID/approval", script[^1]);
        Assert.Contains("$CI_PIPELINE_ID", script[^1]); // this pipeline's deployment, not the newest one blocked

        var outcomes = await EvaluateAsync(
            version => gateUrl.Replace("$CI_COMMIT_SHORT_SHA", version),
            "Bearer " + _key,
            gate => JqEquals(filter, gate)
        );

        Assert.Equal((true, false, false), outcomes);
    }

    [Fact]
    public async Task The_Flagger_canary_webhooks_point_at_receivers_that_want_the_token()
    {
        var hooks = (YamlSequenceNode)Yaml(Block("flagger-canary"))["analysis"]["webhooks"];
        var types = new List<string>();
        foreach (var hook in hooks.Cast<YamlMappingNode>())
        {
            types.Add(Scalar(hook, "type"));
            Assert.Equal("rbw_...", Scalar(hook, "metadata", "token"));
            var body = Encoding.UTF8.GetBytes(
                """{"name":"podinfo","namespace":"prod","phase":"Failed","metadata":{"token":"rbw_..."}}"""
            );
            var response = await _client.PostAsync(
                RelativeUrl(Scalar(hook, "url")),
                new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                Ct
            );
            // No Flagger secret is set here: the receiver exists and says so instead of acting.
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("--tool flagger", await response.Content.ReadAsStringAsync(Ct));
        }
        Assert.Equal(["event", "confirm-promotion", "rollback"], types);
    }

    [Fact]
    public async Task The_Argo_notification_templates_render_bodies_the_receiver_records()
    {
        var config = Yaml(Block("argo-notifications"));
        var data = (YamlMappingNode)config["data"];
        var service = Yaml(Scalar(data, "service.webhook.releaseboard"));
        Assert.Equal("/api/v1/webhooks/argo-rollouts", RelativeUrl(Scalar(service, "url")));
        var templates = data
            .Children.Keys.Select(k => ((YamlScalarNode)k).Value!)
            .Where(k => k.StartsWith("template."));
        var events = new List<string>();
        foreach (var name in templates)
        {
            var body = Render(Scalar(Yaml(Scalar(data, name)), "webhook", "releaseboard", "body"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/argo-rollouts")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ArgoToken);
            var response = await _client.SendAsync(request, Ct);
            Assert.True(
                response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK,
                await response.Content.ReadAsStringAsync(Ct)
            );
            events.Add(JsonDocument.Parse(body).RootElement.GetProperty("event").GetString()!);
        }
        Assert.Equal(["analysis-run-failed", "rollout-aborted"], events);
        await using var db = await DbAsync();
        var caught = await db.Catches.SingleAsync(Ct); // one revision, one catch
        Assert.Equal("test/podinfo/7", caught.ExternalId);
    }

    /// <summary>Go template actions of the README's templates, as Argo would fill them for podinfo in test.</summary>
    private static string Render(string template) =>
        GoAction()
            .Replace(template, m => m.Groups["expr"].Value.Trim() switch
                {
                    ".rollout.metadata.name" => "podinfo",
                    ".rollout.metadata.namespace" => "test",
                    "index .rollout.metadata.annotations \"rollout.argoproj.io/revision\"" => "7",
                    "toJson .rollout.status.message" =>
                        "\"RolloutAborted: Metric \\\"success-rate\\\" assessed Failed\"",
                    var other => throw new InvalidOperationException($"No value for the template action {other}"),
                });

    [GeneratedRegex(@"\{\{(?<expr>.*?)\}\}")]
    private static partial Regex GoAction();

    /// <summary>Kubernetes JSONPath of the one form used: <c>{$.field}</c>.</summary>
    private static JsonElement ArgoJsonPath(string path, JsonElement root)
    {
        var match = Regex.Match(path, @"^\{\$\.(?<field>[A-Za-z0-9_]+)\}$");
        Assert.True(match.Success, $"jsonPath form not evaluated here: {path}");
        return root.GetProperty(match.Groups["field"].Value);
    }

    /// <summary>Argo's expr condition of the one form used: <c>result == true|false</c>.</summary>
    private static bool ArgoCondition(string condition, JsonElement result)
    {
        var match = Regex.Match(condition, "^result == (?<value>true|false)$");
        Assert.True(match.Success, $"condition form not evaluated here: {condition}");
        return result.ValueKind is JsonValueKind.True or JsonValueKind.False
            && result.GetBoolean() == (match.Groups["value"].Value == "true");
    }

    /// <summary>Azure Pipelines' expression of the one form used: <c>eq(root['field'], true|false)</c>.</summary>
    private static bool AzureCriteria(string criteria, JsonElement root)
    {
        var match = Regex.Match(criteria, @"^eq\(root\['(?<field>[A-Za-z0-9_]+)'\], (?<value>true|false)\)$");
        Assert.True(match.Success, $"criteria form not evaluated here: {criteria}");
        var value = root.GetProperty(match.Groups["field"].Value);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            && value.GetBoolean() == (match.Groups["value"].Value == "true");
    }

    /// <summary>jq's filter of the one form used: <c>.field == true|false</c> (jq -e passes on true).</summary>
    private static bool JqEquals(string filter, JsonElement root)
    {
        var match = Regex.Match(filter, @"^\.(?<field>[A-Za-z0-9_]+) == (?<value>true|false)$");
        Assert.True(match.Success, $"jq filter form not evaluated here: {filter}");
        var value = root.GetProperty(match.Groups["field"].Value);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            && value.GetBoolean() == (match.Groups["value"].Value == "true");
    }
}
