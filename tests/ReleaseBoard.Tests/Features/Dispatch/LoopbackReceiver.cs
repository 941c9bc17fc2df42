using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReleaseBoard.Tests.Features.Dispatch;

/// <summary>
/// A real HTTP receiver on loopback (port 0): records every request and answers the statuses it is given.
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    public sealed record Received(
        string Path,
        string Body,
        byte[] Raw,
        IReadOnlyDictionary<string, string> Headers,
        int Status = 200
    );

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    /// <summary>When set, decides each answer instead (a receiver that is down until a time, say).</summary>
    public Func<int>? Respond { get; set; }

    /// <summary>The receiver's own address, for targets that add their API paths to a base URL.</summary>
    public string BaseUrl { get; private set; } = "";

    private LoopbackReceiver(WebApplication app) => _app = app;

    /// <summary>Answers these statuses in turn, then 200.</summary>
    public static async Task<LoopbackReceiver> StartAsync(params int[] statuses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        foreach (var status in statuses)
            receiver._statuses.Enqueue(status);
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var raw = buffer.ToArray();
            var status = receiver.Respond?.Invoke() ?? (receiver._statuses.TryDequeue(out var next) ? next : 200);
            receiver.Requests.Enqueue(
                new Received(
                    request.Path.ToUriComponent(),
                    System.Text.Encoding.UTF8.GetString(raw),
                    raw,
                    request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    status
                )
            );
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        (receiver.BaseUrl, receiver.Url) = (address, address + "/promote");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
