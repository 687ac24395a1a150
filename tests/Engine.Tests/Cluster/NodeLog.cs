using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SalesDash.Engine.Tests.Clustering;

/// <summary>
/// Collects the warnings and errors of every node of a test (Akka's included) with the node's name, so a failing
/// cluster test shows what the cluster said instead of only which figure was wrong.
/// </summary>
internal sealed class NodeLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly DateTime _start = DateTime.UtcNow;

    /// <summary>Every warning and error so far, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILoggerProvider ProviderFor(string node) => new Provider(this, node);

    /// <summary>Writes the last <paramref name="count"/> lines to the test's output.</summary>
    public void WriteTo(ITestOutputHelper? output, int count = 200)
    {
        if (output is null)
        {
            return;
        }

        foreach (var line in _lines.TakeLast(count))
        {
            output.WriteLine(line);
        }
    }

    private sealed class Provider(NodeLog log, string node) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, node, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(NodeLog log, string node, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var at = (DateTime.UtcNow - log._start).TotalSeconds;
            log._lines.Enqueue($"{at,7:F2}s {node} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }
}
