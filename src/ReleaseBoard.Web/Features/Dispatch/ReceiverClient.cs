using Microsoft.Extensions.Options;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>
/// One POST to a receiver under the configured timeout, as the outbox and "send a test" both make it: the status it
/// answered, or why there was none. Stopping the app still cancels; a timeout or a refused connection is an answer.
/// </summary>
public sealed class ReceiverClient(IHttpClientFactory http, IOptionsMonitor<DispatchOptions> options)
{
    public const string HttpClientName = "dispatch";

    public async Task<(int? Status, string? Error)> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken
    )
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.CurrentValue.Timeout);
            using var response = await http.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (cancellationToken.IsCancellationRequested)
                throw;
            return (null, ex is TaskCanceledException ? "timed out" : ex.Message);
        }
    }
}
