using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// An open page's sign-in, kept true to the store (a circuit can live for days): re-checked every minute and at once
/// on any revocation. Only live circuits watch; a prerender must not change its mind halfway.
/// </summary>
internal sealed class LiveAuthenticationStateProvider : ServerAuthenticationStateProvider, IDisposable
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromMinutes(1);

    private readonly UserAdministration _users;
    private readonly AccessRevocation _revocation;
    private readonly TimeProvider _clock;
    private readonly ILogger<LiveAuthenticationStateProvider> _logger;
    private readonly Lock _gate = new();
    private ITimer? _recheck,
        _sessionEnd;
    private int _checking,
        _again;
    private volatile bool _live;

    public LiveAuthenticationStateProvider(
        UserAdministration users,
        AccessRevocation revocation,
        TimeProvider clock,
        ILogger<LiveAuthenticationStateProvider> logger
    )
    {
        (_users, _revocation, _clock, _logger) = (users, revocation, clock, logger);
        AuthenticationStateChanged += Watch;
        _revocation.Revoked += OnRevoked;
    }

    /// <summary>The page is a live circuit now: keep its sign-in true from here on.</summary>
    public void BeginWatching()
    {
        _live = true;
        Watch(GetAuthenticationStateAsync());
    }

    private async void Watch(Task<AuthenticationState> state)
    {
        if (!_live)
            return;
        try
        {
            var user = (await state).User;
            lock (_gate)
            {
                StopTimers();
                if (user.Identity?.IsAuthenticated != true)
                    return;
                _recheck = _clock.CreateTimer(_ => _ = CheckAsync(), null, RecheckInterval, RecheckInterval);
                if (
                    long.TryParse(
                        user.FindFirstValue(PersonClaims.SessionEnds),
                        NumberStyles.None,
                        CultureInfo.InvariantCulture,
                        out var ends
                    )
                )
                {
                    var due = DateTimeOffset.FromUnixTimeSeconds(ends) - _clock.GetUtcNow();
                    var clamped = TimeSpan.FromMilliseconds(Math.Clamp(due.TotalMilliseconds, 0, int.MaxValue - 1));
                    _sessionEnd = _clock.CreateTimer(_ => _ = CheckAsync(), null, clamped, Timeout.InfiniteTimeSpan);
                }
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not watch a page's sign-in.");
        }
    }

    private void OnRevoked()
    {
        if (_live)
            _ = CheckAsync();
    }

    private async Task CheckAsync()
    {
        // One check at a time per page; a revocation during a check asks for one more, which reads after it.
        Interlocked.Exchange(ref _again, 1);
        if (Interlocked.Exchange(ref _checking, 1) == 1)
            return;
        try
        {
            while (Interlocked.Exchange(ref _again, 0) == 1)
            {
                var user = (await GetAuthenticationStateAsync()).User;
                if (user.Identity?.IsAuthenticated != true || await _users.StillSignedInAsync(user))
                    continue;
                _logger.LogInformation("An open page's sign-in no longer stands; the page is signed out.");
                var signedOut = new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()));
                SetAuthenticationState(Task.FromResult(signedOut));
            }
        }
        catch (Exception ex)
        {
            // The store did not answer: keep the page as it is; the next check decides. Actions check on their own.
            _logger.LogWarning(ex, "Could not check an open page's sign-in.");
        }
        finally
        {
            Interlocked.Exchange(ref _checking, 0);
        }
        if (Volatile.Read(ref _again) == 1)
            _ = CheckAsync(); // asked for between the last read and the release
    }

    private void StopTimers()
    {
        _recheck?.Dispose();
        _sessionEnd?.Dispose();
        (_recheck, _sessionEnd) = (null, null);
    }

    public void Dispose()
    {
        AuthenticationStateChanged -= Watch;
        _revocation.Revoked -= OnRevoked;
        lock (_gate)
            StopTimers();
    }
}

/// <summary>Starts the live sign-in of each circuit as it opens (circuit handlers share the circuit's scope).</summary>
internal sealed class LiveSignInCircuitHandler(AuthenticationStateProvider provider) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        (provider as LiveAuthenticationStateProvider)?.BeginWatching();
        return Task.CompletedTask;
    }
}
