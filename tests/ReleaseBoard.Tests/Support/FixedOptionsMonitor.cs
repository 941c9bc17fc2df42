using Microsoft.Extensions.Options;

namespace ReleaseBoard.Tests.Support;

/// <summary>Options that never change, for services that take an <see cref="IOptionsMonitor{T}"/>.</summary>
public sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
