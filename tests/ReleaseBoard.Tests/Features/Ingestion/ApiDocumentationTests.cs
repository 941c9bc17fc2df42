using System.Net;
using System.Text.Json;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Features.Ingestion;

public class ApiDocumentationTests
{
    [Fact]
    public async Task The_app_serves_an_OpenAPI_document_of_every_api_endpoint()
    {
        await using var app = new ReleaseBoardAppFactory();

        var document = JsonDocument
            .Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))
            .RootElement;

        Assert.Equal("ReleaseBoard API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (
            var path in new[]
            {
                "/api/v1/deployments",
                "/api/v1/incidents",
                "/api/v1/incidents/{source}/{externalId}",
                "/api/v1/catches",
                "/api/v1/teams",
                "/api/v1/teams/{team}/sign",
                "/api/v1/webhooks/github",
                "/api/v1/webhooks/pagerduty",
                "/api/v1/webhooks/alertmanager",
            }
        )
            Assert.Contains(path, paths);
        Assert.True(
            document
                .GetProperty("paths")
                .GetProperty("/api/v1/deployments")
                .GetProperty("post")
                .TryGetProperty("requestBody", out _)
        );
    }

    // The API's contract, as served: a refactoring that changes it shows here, and the file's diff is the review.
    // To accept an intended change, run with RELEASEBOARD_ACCEPT_OPENAPI=1 and commit the rewritten file.
    [Fact]
    public async Task Every_operation_names_how_it_is_authenticated_and_the_4xx_it_gives_and_every_tag_is_described()
    {
        await using var app = new ReleaseBoardAppFactory();
        var document = JsonDocument
            .Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))
            .RootElement;
        var operations = document
            .GetProperty("paths")
            .EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject(), (p, o) => o.Value)
            .ToDictionary(o => o.GetProperty("operationId").GetString()!);
        string[][] Security(string id) =>
            operations[id]
                .GetProperty("security")
                .EnumerateArray()
                .Select(r => r.EnumerateObject().Select(s => s.Name).ToArray())
                .ToArray();

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("apiKey").GetProperty("scheme").GetString());
        Assert.Equal("cookie", schemes.GetProperty("signedInPerson").GetProperty("in").GetString());
        Assert.Equal("X-Hub-Signature-256", schemes.GetProperty("gitHubSignature").GetProperty("name").GetString());
        Assert.Equal(
            [
                ["apiKey"],
            ],
            Security("PostDeployment")
        );
        Assert.Equal(
            [
                ["apiKey"],
                ["signedInPerson"],
            ],
            Security("AskGate")
        );
        Assert.Equal(
            [
                ["signedInPerson"],
            ],
            Security("ApproveRequest")
        ); // people only, never a key
        Assert.Equal(
            [
                ["gitHubSignature"],
            ],
            Security("GitHubWebhook")
        );
        Assert.Equal(
            [
                ["catchSignature"],
                ["webhookToken"],
            ],
            Security("CatchWebhook")
        );
        Assert.Equal([], Security("FlaggerConfirmPromotion")); // metadata.token, in the body
        Assert.Contains("metadata.token", operations["FlaggerConfirmPromotion"].GetProperty("description").GetString());
        foreach (var (id, operation) in operations)
        {
            var statuses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(statuses.Any(s => s.StartsWith('4')), $"{id} lists no 4xx");
            if (operation.GetProperty("security").GetArrayLength() > 0)
                Assert.Contains("401", statuses);
        }
        Assert.All(document.GetProperty("tags").EnumerateArray(), t =>
            Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString()))
        );
    }

    [Fact]
    public async Task The_OpenAPI_document_is_the_one_in_the_repository()
    {
        await using var app = new ReleaseBoardAppFactory();
        var served = await app.CreateClient().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var pretty =
            JsonSerializer.Serialize(
                JsonDocument.Parse(served).RootElement,
                new JsonSerializerOptions { WriteIndented = true }
            ) + "\n";
        var path = Path.Combine(
            RepositoryRoot.Path,
            "tests",
            "ReleaseBoard.Tests",
            "Features",
            "Ingestion",
            "openapi.v1.json"
        );

        if (Environment.GetEnvironmentVariable("RELEASEBOARD_ACCEPT_OPENAPI") == "1")
            await File.WriteAllTextAsync(path, pretty, TestContext.Current.CancellationToken);
        Assert.Equal(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken), pretty);
    }

    [Fact]
    public async Task A_browsable_reference_is_served_by_the_app_itself()
    {
        await using var app = new ReleaseBoardAppFactory();
        using var client = app.CreateClient();

        var page = await client.GetAsync("/docs/api/", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", html);
        Assert.DoesNotContain("https://", html); // no CDN, no web fonts: everything comes from the app
        var script = System
            .Text.RegularExpressions.Regex.Match(html, "src=\"(?<src>[^\"]*scalar[^\"]*\\.js)\"")
            .Groups["src"]
            .Value;
        Assert.NotEmpty(script);
        var scriptUri = new Uri(new Uri("http://localhost/docs/api/"), script);
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.GetAsync(scriptUri.PathAndQuery, TestContext.Current.CancellationToken)).StatusCode
        );
    }
}
