using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>The scope filters the ClickHouse history ports share.</summary>
internal static class ClickHouseSql
{
    internal static string? Empty(string field) => field.Length == 0 ? null : field;

    internal static string Where(HistoryScope scope) =>
        $"tenant_id = {Literal(scope.TenantId)}" + (scope.StoreId is null ? string.Empty : $" AND store_id = {Literal(scope.StoreId)}");

    internal static string Where(HistoryScope scope, string timeColumn, HistoryRange range) =>
        $"{Where(scope)} AND {timeColumn} >= {Instant(range.FromUtc)} AND {timeColumn} < {Instant(range.ToUtc)}";
}
