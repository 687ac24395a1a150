using Microsoft.AspNetCore.SignalR;
using SalesDash.Web.Alerts;

namespace SalesDash.Web.Hubs;

/// <summary>
/// What the server pushes to every open page through groups, in one typed contract, so a push cannot misspell a method
/// name or send the wrong payload. The wire names are fixed by <see cref="HubMethodNameAttribute"/>: browsers already
/// listen for them, so renaming a C# method must not rename the message. Tiles are not here: the
/// <see cref="TileRelayActor"/> writes them (<see cref="DashboardHub.TilesMethod"/>) to each screen on its own.
/// </summary>
public interface IDashboardClient
{
    /// <summary>An alert opened or resolved on the store, for a toast.</summary>
    [HubMethodName(DashboardHub.AlertMethod)]
    Task Alert(AlertToast toast, CancellationToken cancellationToken);
}
