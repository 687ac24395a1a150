using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tests.Persistence.Postgres;
using SalesDash.Tests.Shared;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Clustering;

/// <summary>
/// A node joins the cluster only once its journal has started (connected, created its tables, answered a read), so
/// no store recovers on it while the journal's start eats the recovery's 30 s: the rolling-restart test's first
/// delivery timed out that way on a loaded machine.
/// </summary>
public sealed class JoinAfterWarmUpTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);

    [Fact]
    public async Task A_node_whose_journal_cannot_start_stays_out_of_the_cluster_and_joins_and_recovers_once_it_can()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = Environment.GetEnvironmentVariable(PostgresTestDatabase.Variable);
        Assert.False(string.IsNullOrWhiteSpace(server), $"{PostgresTestDatabase.Variable} is not set: run scripts/services/postgres.sh.");
        // The journal's database does not exist yet, as when a node starts before its database is provisioned.
        var name = $"salesdash_test_{Guid.NewGuid():N}";
        var journal = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        using var data = new TempDirectory();
        var log = new NodeLog();
        try
        {
            await using var node = await ClusterTestNode.StartAsync("late-journal", data.Path, new FakeTimeProvider(Now), journal, seed: null, log, ct);

            // The journal tried to start and could not; meanwhile the node is no member, so nothing is placed on it.
            await WaitUntilAsync(() => log.Lines.Any(l => l.Contains("journal", StringComparison.OrdinalIgnoreCase)), "the journal's failed start logged", ct);
            Assert.Empty(Akka.Cluster.Cluster.Get(node.System).State.Members);

            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync(ct);
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }

            // Once the journal is ready the node forms its cluster, and the first store recovers and persists on it.
            await WaitUntilAsync(() => ClusterViews.SeesUp(node.System, 1), "the node Up once its journal started", ct);
            Assert.Equal(IngestOutcome.Accepted, await node.Ingest.IngestAsync(Placed("o1", Now.AddMinutes(-5), 12.5m), ct));
            Assert.Equal(IngestOutcome.Duplicate, await node.Ingest.IngestAsync(Placed("o1", Now.AddMinutes(-5), 12.5m), ct));
        }
        catch
        {
            log.WriteTo(TestContext.Current.TestOutputHelper);
            throw;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, ct);
        }
    }
}
