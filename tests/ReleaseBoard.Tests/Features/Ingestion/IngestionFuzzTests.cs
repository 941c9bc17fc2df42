using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace ReleaseBoard.Tests.Features.Ingestion;

/// <summary>
/// Bounded fuzzing: thousands of random and mutated bodies (fixed seed, so a failure can be replayed) to each write
/// endpoint. Only 2xx and 4xx answers are allowed, and afterwards the database holds exactly the events that were
/// accepted: nothing half-stored, nothing stored twice.
/// </summary>
public class IngestionFuzzTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private const int BodiesPerEndpoint = 1200;
    private const string Source = "fuzz";

    private static readonly Dictionary<string, Func<Random, JsonObject>> Templates = new()
    {
        ["/api/v1/deployments"] = random => new JsonObject
        {
            ["service"] = Pick(random, "payments-api", "ledger"),
            ["environment"] = Pick(random, "dev", "staging", "production"),
            ["version"] = $"1.{random.Next(100)}.0",
            ["commitSha"] = "abc",
            ["startedAt"] = Ago(random, 600),
            ["finishedAt"] = Ago(random, 5),
            ["outcome"] = Pick(random, "succeeded", "failed", "rolledBack"),
            ["trigger"] = Pick(random, "automatic", "manual"),
            ["source"] = Source,
            ["externalId"] = $"d{random.Next(40)}",
        },
        ["/api/v1/incidents"] = random => new JsonObject
        {
            ["service"] = Pick(random, "payments-api", "ledger"),
            ["severity"] = random.Next(1, 5),
            ["title"] = "Fuzzed failure",
            ["startedAt"] = Ago(random, 600),
            ["resolvedAt"] = Ago(random, 5),
            ["url"] = "https://pager.example/x",
            ["source"] = Source,
            ["externalId"] = $"i{random.Next(40)}",
        },
        ["/api/v1/catches"] = random => new JsonObject
        {
            ["service"] = Pick(random, "payments-api", "ledger"),
            ["environment"] = Pick(random, "dev", "staging"),
            ["severity"] = random.Next(1, 5),
            ["title"] = "Fuzzed catch",
            ["caughtAt"] = Ago(random, 600),
            ["reportedBy"] = "fuzzer",
            ["source"] = Source,
            ["externalId"] = $"c{random.Next(40)}",
        },
    };

    private async Task<List<long>> StoredIdsAsync(string path)
    {
        await using var db = await fixture.DbAsync();
        return path switch
        {
            "/api/v1/deployments" => await db
                .Deployments.Select(d => d.Id)
                .ToListAsync(TestContext.Current.CancellationToken),
            "/api/v1/incidents" => await db
                .Incidents.Select(x => x.Id)
                .ToListAsync(TestContext.Current.CancellationToken),
            _ => await db.Catches.Select(c => c.Id).ToListAsync(TestContext.Current.CancellationToken),
        };
    }

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];

    private static string Ago(Random random, int maxMinutes) =>
        DateTimeOffset.UtcNow.AddMinutes(-random.Next(1, maxMinutes)).ToString("O");

    private static readonly Func<Random, JsonNode?>[] OddValues =
    [
        _ => null,
        r => r.Next(),
        r => -r.Next(),
        _ => 1e308,
        _ => true,
        _ => "",
        _ => "   ",
        _ => new string('x', 5000),
        _ => "2999-01-01T00:00:00Z",
        _ => "0001-01-01T00:00:00Z",
        _ => "not a date",
        _ => "1999-12-31T23:59:59+14:00",
        _ => "exploded",
        _ => "\u0000\u202e\ud83d\ude00",
        _ => new JsonArray(1, 2),
        _ => new JsonObject { ["a"] = 1 },
        _ => "<script>alert(1)</script>",
        _ => "'; DROP TABLE Deployments; --",
        r => r.Next(-5, 10),
        _ => "PAYMENTS-API",
    ];

    private static byte[] Mutate(Random random, JsonObject body)
    {
        switch (random.Next(10))
        {
            case 0: // random bytes
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return bytes;
            case 1: // truncated JSON
                var text = body.ToJsonString();
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            case 2: // valid as sent
                return Encoding.UTF8.GetBytes(body.ToJsonString());
            default: // a few fields removed or replaced by odd values
                var names = body.Select(p => p.Key).ToList();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var name = names[random.Next(names.Count)];
                    if (random.Next(4) == 0)
                        body.Remove(name);
                    else
                        body[name] = OddValues[random.Next(OddValues.Length)](random);
                }
                if (random.Next(8) == 0)
                    body["unexpected"] = "field";
                return Encoding.UTF8.GetBytes(body.ToJsonString());
        }
    }

    [Theory]
    [InlineData("/api/v1/deployments", 1)]
    [InlineData("/api/v1/incidents", 2)]
    [InlineData("/api/v1/catches", 3)]
    public async Task Random_and_mutated_bodies_get_only_2xx_or_4xx_and_store_exactly_what_was_accepted(
        string path,
        int seed
    )
    {
        var random = new Random(seed);
        var before = await StoredIdsAsync(path);
        var created = new HashSet<long>();
        var accepted = new HashSet<long>();
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < BodiesPerEndpoint; i++)
        {
            var body = Mutate(random, Templates[path](random));
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(
                random.Next(20) == 0 ? "text/plain" : "application/json"
            );
            var response = await fixture.AllTeams.PostAsync(path, content, TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            Assert.True(
                status is >= 200 and < 500,
                $"body #{i} ({Encoding.UTF8.GetString(body)}) got {status}: "
                    + $"{await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}"
            );
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                var id = JsonDocument
                    .Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
                    .RootElement.GetProperty("id")
                    .GetInt64();
                accepted.Add(id);
                if (response.StatusCode == HttpStatusCode.Created)
                    Assert.True(created.Add(id), $"id {id} was created twice");
            }
        }

        var after = await StoredIdsAsync(path);
        // every new row was answered 201, and nothing else is new
        Assert.Equal(created.Order(), after.Except(before).Order());
        Assert.Subset(after.ToHashSet(), accepted); // every 200 names a row that exists
        Assert.True(accepted.Count > 5, $"the fuzzer should also send valid events ({string.Join(", ", statuses)})");
        Assert.True(statuses.Keys.Any(s => s >= 400), "the fuzzer should also send invalid events");
    }

    private static JsonObject Payload(string name) =>
        JsonNode
            .Parse(
                File.ReadAllText(
                    Path.Combine(AppContext.BaseDirectory, "Features", "Ingestion", "Webhooks", "Payloads", name)
                )
            )!
            .AsObject();

    /// <summary>Mutates a nested document: replaces or removes nodes anywhere in it, not only at the top.</summary>
    private static byte[] MutateDeep(Random random, JsonObject body)
    {
        if (random.Next(6) == 0)
            return Mutate(random, body);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            JsonObject target = body;
            for (var depth = random.Next(3); depth > 0; depth--)
            {
                var objects = target.Where(p => p.Value is JsonObject).Select(p => p.Value!.AsObject()).ToList();
                var arrays = target
                    .Where(p => p.Value is JsonArray a && a.Count > 0 && a[0] is JsonObject)
                    .Select(p => p.Value!.AsArray()[0]!.AsObject())
                    .ToList();
                var next = objects.Concat(arrays).ToList();
                if (next.Count == 0)
                    break;
                target = next[random.Next(next.Count)];
            }
            var names = target.Select(p => p.Key).ToList();
            if (names.Count == 0)
                continue;
            var name = names[random.Next(names.Count)];
            if (random.Next(4) == 0)
                target.Remove(name);
            else
                target[name] = OddValues[random.Next(OddValues.Length)](random);
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static readonly Dictionary<string, Func<Random, JsonObject>> OtherWrites = new()
    {
        ["PATCH /api/v1/incidents/fuzz/patch-target"] = random => new JsonObject
        {
            ["resolvedAt"] = Ago(random, 5),
            ["severity"] = random.Next(1, 5),
            ["title"] = "Patched",
            ["url"] = "https://x.example",
        },
        ["PUT /api/v1/catalog?dryRun=true"] = _ =>
            JsonNode
                .Parse(
                    """
                    { "teams": [ { "slug": "fuzzed", "name": "Fuzzed", "timeZone": "Europe/Berlin",
                      "countingSeverityThreshold": 3,
                      "services": [ { "slug": "fuzz-api", "name": "Fuzz", "repository": "acme/fuzz",
                        "pagerDutyServiceId": "PFUZZ",
                        "environments": [
                          { "name": "staging", "isProduction": false, "requiredApprovals": 1, "soakMinutes": 0 },
                          { "name": "production", "isProduction": true, "requiredApprovals": 2, "soakMinutes": 30 }
                        ] } ] } ] }
                    """
                )!
                .AsObject(),
        ["POST /api/v1/webhooks/alertmanager"] = _ =>
            Payload("alertmanager-firing.json")
                .Also(p => p["alerts"]![0]!["labels"]!["service"] = "payments-api")
                .Also(p => p["alerts"]![1]!["labels"]!["service"] = "ledger"),
        ["POST /api/v1/webhooks/github"] = _ => Payload("github-deployment-status-success.json"),
        ["POST /api/v1/webhooks/pagerduty"] = _ => Payload("pagerduty-incident-triggered.json"),
    };

    [Theory]
    [InlineData("PATCH /api/v1/incidents/fuzz/patch-target", 4)]
    [InlineData("PUT /api/v1/catalog?dryRun=true", 5)]
    [InlineData("POST /api/v1/webhooks/alertmanager", 6)]
    [InlineData("POST /api/v1/webhooks/github", 7)]
    [InlineData("POST /api/v1/webhooks/pagerduty", 8)]
    public async Task The_other_write_endpoints_answer_mutated_bodies_with_only_2xx_or_4xx(string call, int seed)
    {
        var random = new Random(seed);
        var (method, path) = (call.Split(' ')[0], call.Split(' ')[1]);
        // The PATCH target exists: an incident with source "fuzz" and an id of its own. Not one of the ids the POST
        // fuzzing sends (i0..i39): that test may run first and store "i1" for another service, and an id that names
        // incidents of two services is rightly refused, whatever the body.
        await fixture.AllTeams.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 2,
                title = "To patch",
                startedAt = DateTimeOffset.UtcNow.AddHours(-1),
                source = Source,
                externalId = "patch-target",
            },
            TestContext.Current.CancellationToken
        );
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < 400; i++)
        {
            var body = MutateDeep(random, OtherWrites[call](random));
            using var request = new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            // Webhooks are signed as the tool would sign whatever it sends: the fuzzing reaches the parser, not just
            // the signature check.
            if (path.EndsWith("/github", StringComparison.Ordinal))
            {
                request.Headers.Add("X-GitHub-Event", "deployment_status");
                request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
                request.Headers.Add(
                    "X-Hub-Signature-256",
                    "sha256="
                        + ReleaseBoard.Web.Features.Ingestion.Webhooks.WebhookSignature.Compute(
                            IngestionFixture.GitHubSecret,
                            body
                        )
                );
            }
            if (path.EndsWith("/pagerduty", StringComparison.Ordinal))
                request.Headers.Add(
                    "X-PagerDuty-Signature",
                    "v1="
                        + ReleaseBoard.Web.Features.Ingestion.Webhooks.WebhookSignature.Compute(
                            IngestionFixture.PagerDutySecret,
                            body
                        )
                );
            var response = await fixture.AllTeams.SendAsync(request, TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(
                status is >= 200 and < 500,
                $"{call} body #{i} ({Encoding.UTF8.GetString(body)}) got {status}: "
                    + $"{await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}"
            );
        }

        Assert.True(
            statuses.Keys.Any(s => s < 300) && statuses.Keys.Any(s => s >= 400),
            $"both accepted and refused bodies expected: {string.Join(", ", statuses)}"
        );
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject value, Action<JsonObject> change)
    {
        change(value);
        return value;
    }
}
