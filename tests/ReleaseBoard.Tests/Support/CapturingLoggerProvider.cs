using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ReleaseBoard.Tests.Support;

/// <summary>
/// Keeps every log line one app writes (at every level), so a test can search them for secrets. One per app
/// (<see cref="ReleaseBoardAppFactory.Logs"/>): a capture shared by every app in the run would hold other tests'
/// lines, and a search for what this app logged could then pass without it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    /// <summary>
    /// Every category at Trace, the framework's and EF Core's included (appsettings.json quiets them otherwise).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Trace",
    };

    private readonly ConcurrentQueue<string> _lines = new();

    public IEnumerable<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
