using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesDash.Engine.Clustering;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Clustering;

/// <summary>
/// The whole app started alone, as ./run.sh starts it (a cluster of one): both singletons, the cluster jobs and the
/// alert coordinator, start on it, and nothing warns about a singleton it cannot find (a proxy used to, every 30 s).
/// </summary>
public sealed class SingleNodeStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_node_alone_runs_its_singletons_and_logs_no_singleton_warning()
    {
        var log = new WarningLog();
        var firstPass = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Services = services =>
            {
                services.AddSingleton<ILoggerProvider>(log);
                services.AddSingleton<IClusterJob>(new ProbeJob(firstPass));
            },
        });

        var system = app.Services.GetRequiredService<ActorSystem>();
        // The cluster-jobs singleton ran a pass, and both singletons run: each manager has its singleton child.
        await firstPass.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        foreach (var path in new[] { "/user/cluster-jobs/*", "/user/alert-coordinator/*" })
        {
            await UntilAnsweredAsync(system, path);
        }

        var singletonLines = log.Lines.Where(l => l.Contains("singleton", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(singletonLines.Count == 0, string.Join(Environment.NewLine, singletonLines));
    }

    /// <summary>Waits until an actor answers at <paramref name="path"/> (a manager starts its singleton once it sees itself oldest).</summary>
    private static async Task UntilAnsweredAsync(ActorSystem system, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            ActorIdentity? identity = null;
            try
            {
                identity = await system.ActorSelection(path).Ask<ActorIdentity>(new Identify(path), TimeSpan.FromSeconds(5), Ct);
            }
            catch (AskTimeoutException)
            {
                // A wildcard that matches no actor yet gets no answer.
            }

            if (identity?.Subject is not null)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing answers at {path}");
            await Task.Delay(100, Ct);
        }
    }

    private sealed class ProbeJob(TaskCompletionSource firstPass) : IClusterJob
    {
        public string Name => "probe";

        public TimeSpan Interval => TimeSpan.FromHours(1);

        public Task RunAsync(CancellationToken cancellationToken)
        {
            firstPass.TrySetResult();
            return Task.CompletedTask;
        }
    }

    /// <summary>Every warning and error the app logs (Akka's included), with its category.</summary>
    private sealed class WarningLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(WarningLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
