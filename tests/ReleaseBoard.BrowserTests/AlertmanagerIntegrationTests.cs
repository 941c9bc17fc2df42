using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// A real Prometheus Alertmanager (Debian's package) sends its webhook to the real app: an alert fires, becomes an
/// incident, resolves, and the incident resolves. Hand-written payloads prove the parser; this proves the integration.
/// </summary>
[Collection(nameof(BrowserCollection))]
public sealed class AlertmanagerIntegrationTests(BrowserFixture fixture) : IDisposable
{
    public static string AlertmanagerPath =>
        Environment.GetEnvironmentVariable("RELEASEBOARD_ALERTMANAGER") ?? "/usr/bin/prometheus-alertmanager";

    private readonly string _folder = Directory.CreateTempSubdirectory("releaseboard-alertmanager-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    private Process? _alertmanager;

    [Fact]
    public async Task A_real_Alertmanager_opens_and_resolves_an_incident()
    {
        Assert.True(
            File.Exists(AlertmanagerPath),
            $"Alertmanager not found at {AlertmanagerPath}: apt-get install prometheus-alertmanager"
        );
        await fixture.AddTeamAsync("alerts", 3, "alerts-api");
        var created = await fixture.App.RunCommandAsync(
            null,
            "apikeys",
            "create",
            "--name",
            "alertmanager-it",
            "--team",
            "alerts"
        );
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Output.Trim();
        await File.WriteAllTextAsync(
            Path.Combine(_folder, "alertmanager.yml"),
            $"""
            route:
              receiver: releaseboard
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: releaseboard
                webhook_configs:
                  - url: {fixture.App.BaseUrl}/api/v1/webhooks/alertmanager
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: {key}
            """,
            TestContext.Current.CancellationToken
        );
        _alertmanager = Process.Start(
            new ProcessStartInfo(AlertmanagerPath)
            {
                ArgumentList =
                {
                    $"--config.file={Path.Combine(_folder, "alertmanager.yml")}",
                    $"--storage.path={_folder}",
                    // Port 0: the port it got is read back from its log ("Listening on" address=127.0.0.1:46675).
                    "--web.listen-address=127.0.0.1:0",
                    "--cluster.listen-address=",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }
        )!;
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Keep(string? line)
        {
            if (line is null)
                return;
            _log.Enqueue(line);
            var match = System.Text.RegularExpressions.Regex.Match(
                line,
                "msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)"
            );
            if (match.Success)
                listening.TrySetResult(
                    int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                );
        }
        _alertmanager.OutputDataReceived += (_, e) => Keep(e.Data);
        _alertmanager.ErrorDataReceived += (_, e) => Keep(e.Data);
        _alertmanager.BeginOutputReadLine();
        _alertmanager.BeginErrorReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        using var alertmanager = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var releaseBoard = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        releaseBoard.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await Until(
            async () => (await TrySend(() => alertmanager.GetAsync("/-/ready")))?.StatusCode == HttpStatusCode.OK,
            "Alertmanager to start"
        );

        var startsAt = DateTimeOffset.UtcNow.AddMinutes(-2);
        object Alert(DateTimeOffset? endsAt) =>
            new[]
            {
                new
                {
                    labels = new Dictionary<string, string>
                    {
                        ["alertname"] = "DiskFull",
                        ["service"] = "alerts-api",
                        ["severity"] = "critical",
                    },
                    annotations = new Dictionary<string, string> { ["summary"] = "Disk full on the primary" },
                    startsAt,
                    endsAt,
                    generatorURL = "http://prometheus.example:9090/graph",
                },
            };

        Assert.Equal(
            HttpStatusCode.OK,
            (
                await alertmanager.PostAsJsonAsync("/api/v2/alerts", Alert(null), TestContext.Current.CancellationToken)
            ).StatusCode
        );
        JsonElement incident = default;
        await Until(
            async () => (incident = await IncidentAsync(releaseBoard)).ValueKind == JsonValueKind.Object,
            "the incident to arrive"
        );
        Assert.Equal("Disk full on the primary", incident.GetProperty("title").GetString());
        Assert.Equal(1, incident.GetProperty("severity").GetInt32());
        Assert.Equal("alertmanager", incident.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("resolvedAt").ValueKind);

        Assert.Equal(
            HttpStatusCode.OK,
            (
                await alertmanager.PostAsJsonAsync(
                    "/api/v2/alerts",
                    Alert(DateTimeOffset.UtcNow),
                    TestContext.Current.CancellationToken
                )
            ).StatusCode
        );
        await Until(
            async () => (await IncidentAsync(releaseBoard)).GetProperty("resolvedAt").ValueKind == JsonValueKind.String,
            "the incident to resolve"
        );
    }

    private static async Task<JsonElement> IncidentAsync(HttpClient releaseBoard)
    {
        var page = JsonDocument.Parse(await releaseBoard.GetStringAsync("/api/v1/incidents?team=alerts")).RootElement;
        return page.GetProperty("items").EnumerateArray().FirstOrDefault();
    }

    private static async Task<HttpResponseMessage?> TrySend(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return;
            await Task.Delay(250);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }

    public void Dispose()
    {
        if (_alertmanager is { HasExited: false })
            _alertmanager.Kill(entireProcessTree: true);
        _alertmanager?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }
}
