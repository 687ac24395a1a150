using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Web.Alerts;

namespace SalesDash.EndToEnd.Tests.Alerts;

/// <summary>
/// A SalesDash app of its own for the alert walks, on a clock the test moves: a minute closes when the test says so
/// (an alert fires on closed minutes), never when the wall clock happens to tick, so the walks wait on events only.
/// Each walk has its own organisation, so a pause in one never silences the other.
/// </summary>
public sealed class AlertWalkApp : ServedSalesDash
{
    /// <summary>The store of the "create an alert from a widget" walk.</summary>
    public static readonly TestStore WidgetShop = new("walk", "walk-shop", "Walk Shop", "walk-shop.myshopify.com", "USD", "UTC", $"shpss_walk_{Guid.NewGuid():N}");

    /// <summary>The store of the "pause alerts" walk, in an organisation of its own.</summary>
    public static readonly TestStore PausedShop = new("pause", "pause-shop", "Pause Shop", "pause-shop.myshopify.com", "USD", "UTC", $"shpss_pause_{Guid.NewGuid():N}");

    /// <summary>The store of the "click a system notification" walk, in an organisation of its own.</summary>
    public static readonly TestStore NotifyShop = new("notify", "notify-shop", "Notify Shop", "notify-shop.myshopify.com", "USD", "UTC", $"shpss_notify_{Guid.NewGuid():N}");

    /// <summary>The app's clock: ten seconds into the current minute, and still until a walk moves it.</summary>
    public FakeTimeProvider Clock { get; } = new(StartOfMinute(TimeProvider.System.GetUtcNow()).AddSeconds(10));

    /// <summary>What the app's notifiers held back because the store's alerts were paused.</summary>
    public HeldAlerts Held { get; } = new();

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [WidgetShop.Hosted(), PausedShop.Hosted(), NotifyShop.Hosted()],
        Settings = new Dictionary<string, string>
        {
            // The entity publishes a closed minute within a fifth of a second of the test moving the clock past it.
            ["Engine:MinuteCheckInterval"] = "00:00:00.200",
            ["Alerts:ClockInterval"] = "00:00:01",
            ["Logging:LogLevel:" + typeof(PausableAlertNotifier).FullName] = "Information",
        },
        Services = services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Held);
        },
    };

    /// <summary>Moves the clock to one second into the next minute, which closes the current one.</summary>
    public void CloseMinute() => Clock.SetUtcNow(StartOfMinute(Clock.GetUtcNow()).AddMinutes(1).AddSeconds(1));

    private static DateTimeOffset StartOfMinute(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);
}

/// <summary>
/// The server's own record of each alert <see cref="PausableAlertNotifier"/> did not send because of a pause (its log
/// line), by alert and channel: what the server decided, not what a browser happened to show.
/// </summary>
public sealed class HeldAlerts : ILoggerProvider
{
    private readonly ConcurrentQueue<(string AlertId, string Channel)> _held = new();

    /// <summary>True once the channel ("in-app" is the toast) decided not to send the alert because of a pause.</summary>
    public bool WasHeld(string alertId, string channel) => _held.Contains((alertId, channel));

    public ILogger CreateLogger(string categoryName) =>
        categoryName == typeof(PausableAlertNotifier).FullName ? new Recorder(_held) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<(string, string)> held) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // "Alert {Alert} not sent by {Channel}: alerts of {Tenant}/{Store} are paused until {Until}" (a snooze says "snoozed").
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields
                && formatter(state, exception).Contains("are paused until", StringComparison.Ordinal)
                && fields.FirstOrDefault(f => f.Key == "Alert").Value is string alert
                && fields.FirstOrDefault(f => f.Key == "Channel").Value is string channel)
            {
                held.Enqueue((alert, channel));
            }
        }
    }
}
