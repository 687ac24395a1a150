using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SalesDash.Engine.Tests.Support.Kafka;

/// <summary>Keeps what the ingestion stream logs, level and text, so a test can assert what an operator would read.</summary>
internal sealed class LogLines : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<string> At(LogLevel level) => [.. _lines.Where(l => l.Level == level).Select(l => l.Text)];

    public IReadOnlyList<string> All => [.. _lines.Select(l => $"{l.Level}: {l.Text}")];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _lines.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
