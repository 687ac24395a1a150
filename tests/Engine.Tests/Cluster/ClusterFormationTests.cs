using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Tests.Shared;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Clustering;

[Collection(Support.MultiNodeClusterCollection.Name)]
public sealed class ClusterFormationTests
{
    [Fact]
    public async Task A_node_downs_unreachable_members_by_keep_majority_after_the_configured_wait()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        using var host = EngineHost.Build(data.Path, new FakeTimeProvider(Utc(2026, 6, 10, 12, 0)),
            new Dictionary<string, string?> { ["Cluster:DownUnreachableAfter"] = "00:00:07" });
        await host.StartAsync(ct);

        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
        Assert.Contains("SplitBrainResolverProvider", config.GetString("akka.cluster.downing-provider-class"), StringComparison.Ordinal);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task Kubernetes_discovery_looks_pods_up_by_label_and_never_founds_a_cluster_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        var log = new NodeLog();
        using var host = BuildNode(data.Path, "alone", FreePort(), log, extraHocon: null);
        await host.StartAsync(ct);
        var system = host.Services.GetRequiredService<ActorSystem>();

        var config = system.Settings.Config;
        Assert.Equal("kubernetes-api", config.GetString("akka.discovery.method"));
        Assert.Equal("app={0}", config.GetString("akka.discovery.kubernetes-api.pod-label-selector"));
        // No Kubernetes API here: the lookups fail, and the node must wait for peers rather than join itself.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        Assert.Empty(Akka.Cluster.Cluster.Get(system).State.Members);
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task Three_nodes_without_seed_nodes_find_each_other_through_discovery_and_form_one_cluster()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        var log = new NodeLog();
        int[] ports = [FreePort(), FreePort(), FreePort()];
        // Akka's config discovery stands in for the Kubernetes API: the same lookup, the same joiner, a fixed answer.
        var endpoints = string.Join(", ", ports.Select(p => $"\"127.0.0.1:{p}\""));
        var discovery = $$"""
            akka.discovery.method = config
            akka.discovery.config.services.salesdash-test.endpoints = [{{endpoints}}]
            """;

        var hosts = ports.Select((port, i) => BuildNode(data.Path, $"node-{i}", port, log, discovery)).ToArray();
        try
        {
            // All at once, as a StatefulSet with Parallel pod management starts them: still one cluster, never two.
            await Task.WhenAll(hosts.Select(h => h.StartAsync(ct)));
            var systems = hosts.Select(h => h.Services.GetRequiredService<ActorSystem>()).ToArray();
            var clusters = systems.Select(s => Akka.Cluster.Cluster.Get(s)).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(45);
            // Every node, not only one, must see all three Up and none unreachable: the shared view of the cluster tests.
            while (!systems.All(s => ClusterViews.SeesUp(s, 3)))
            {
                Assert.True(DateTime.UtcNow < deadline, "the three nodes did not form one cluster: " +
                    string.Join(" | ", clusters.Select(c => $"{c.SelfAddress}: {string.Join(", ", c.State.Members.Select(m => $"{m.Address.Port} {m.Status}"))}")));
                await Task.Delay(100, ct);
            }

            Assert.Single(clusters.Select(c => c.State.Leader).Distinct());
            Assert.All(clusters, c => Assert.Equal(ports.Order(), c.State.Members.Select(m => m.Address.Port!.Value).Order()));
            foreach (var host in hosts)
            {
                await host.StopAsync(ct);
            }
        }
        catch
        {
            log.WriteTo(TestContext.Current.TestOutputHelper);
            throw;
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    private static IHost BuildNode(string dataRoot, string name, int port, NodeLog log, string? extraHocon)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = EngineHost.Settings(Path.Combine(dataRoot, name));
        settings["Cluster:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Cluster:Discovery"] = "Kubernetes";
        settings["Cluster:Bootstrap:ServiceName"] = "salesdash-test";
        settings["Cluster:Bootstrap:LookupInterval"] = "00:00:00.500";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(log.ProviderFor(name));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Utc(2026, 6, 10, 12, 0)));
        builder.Services.AddSalesDashEngine(builder.Configuration);
        builder.Services.AddSingleton<SalesDash.Engine.Stores.IStoreDirectory, SalesDash.Engine.Tests.Stores.InMemoryStoreDirectory>();
        builder.Services.AddAkka("salesdash", (akka, sp) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            akka.AddSalesDashEngine(sp);
            if (extraHocon is not null)
            {
                // Added last and prepended, so it wins over the Kubernetes plugin's own choice of method.
                akka.AddHocon(extraHocon, HoconAddMode.Prepend);
            }
        });
        return builder.Build();
    }

    [Fact]
    public async Task Seed_nodes_with_Kubernetes_discovery_are_refused_at_start()
    {
        using var data = new TempDirectory();
        using var host = EngineHost.Build(data.Path, new FakeTimeProvider(Utc(2026, 6, 10, 12, 0)), new Dictionary<string, string?>
        {
            ["Cluster:Discovery"] = "Kubernetes",
            ["Cluster:SeedNodes:0"] = "akka.tcp://salesdash@127.0.0.1:4053",
        });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Cluster:SeedNodes must be empty when Cluster:Discovery=Kubernetes", failure.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
