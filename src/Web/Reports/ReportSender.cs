using Akka.Actor;

namespace SalesDash.Web.Reports;

/// <summary>
/// This node as a report sender: named by its cluster address (host:port), which is what operators see in the logs
/// and the send history, with an incarnation new at every start so a node restarted on the same address does not
/// mistake the claims of the one that died there for its own.
/// </summary>
public sealed class ReportSender(IServiceProvider services)
{
    private readonly Lazy<ReportSenderId> _id = new(() =>
    {
        // The actor system is resolved late: the cluster binds its port when the host starts, not when this is built.
        var address = services.GetService<ActorSystem>() is { } system ? Akka.Cluster.Cluster.Get(system).SelfAddress : null;
        var name = address is { Host: { } host, Port: { } port } ? $"{host}:{port}" : Environment.MachineName;
        return new ReportSenderId(name, Guid.NewGuid().ToString("N"));
    });

    public ReportSenderId Id => _id.Value;
}
