using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SalesDash.Engine.Tests;

/// <summary>Starts the engine the way the web host does: AddSalesDashEngine on services and inside AddAkka.</summary>
internal static class EngineHost
{
    public static Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        ["Engine:DataDirectory"] = dataDirectory,
        ["Engine:TilePublishInterval"] = "00:00:00.050",
        ["Engine:SnapshotFlushInterval"] = "00:00:00.100",
        ["Engine:AskTimeout"] = "00:00:30",
    };

    public static IHost Build(string dataDirectory, TimeProvider time, IDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = Settings(dataDirectory);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(time);
        builder.Services.AddSalesDashEngine(builder.Configuration);
        builder.Services.AddSingleton<SalesDash.Engine.Stores.IStoreDirectory, SalesDash.Engine.Tests.Stores.InMemoryStoreDirectory>();
        builder.Services.AddAkka("salesdash", (akka, sp) => akka.AddSalesDashEngine(sp));
        return builder.Build();
    }

    /// <summary>
    /// Starts the host and returns once its node is Up in its cluster of one, the moment it can serve. Without this a
    /// test's first ask also waited for the journal's warm-up and the join (PersistenceWarmUp), which are the host's
    /// start, not the ask's work: measured at load 35 with four busy loops beside it, 9.4 s of the 14 s that first
    /// ask took, and at load 40-110 the 30 s ask ran out.
    /// </summary>
    public static async Task<IHost> StartAsync(string dataDirectory, TimeProvider time)
    {
        var ct = TestContext.Current.CancellationToken;
        var host = Build(dataDirectory, time);
        await host.StartAsync(ct);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<Akka.Actor.ActorSystem>()).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(ct);
        return host;
    }
}

/// <summary>A fresh folder per test, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "salesdash-engine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing background thread; the OS temp cleaner takes it.
        }
    }
}
