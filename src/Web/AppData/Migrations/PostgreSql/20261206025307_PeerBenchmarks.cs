using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesDash.Web.AppData.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PeerBenchmarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BenchmarkCohorts",
                columns: table => new
                {
                    Level = table.Column<string>(type: "text", nullable: false),
                    Industry = table.Column<string>(type: "text", nullable: false),
                    Band = table.Column<string>(type: "text", nullable: false),
                    Metric = table.Column<string>(type: "text", nullable: false),
                    Contributors = table.Column<int>(type: "integer", nullable: false),
                    P25 = table.Column<decimal>(type: "numeric", nullable: false),
                    P50 = table.Column<decimal>(type: "numeric", nullable: false),
                    P75 = table.Column<decimal>(type: "numeric", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BenchmarkCohorts", x => new { x.Level, x.Industry, x.Band, x.Metric });
                });

            migrationBuilder.CreateTable(
                name: "BenchmarkProfiles",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "text", nullable: false),
                    Industry = table.Column<string>(type: "text", nullable: true),
                    TakesPart = table.Column<bool>(type: "boolean", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BenchmarkProfiles", x => x.TenantId);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationStatuses",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "text", nullable: false),
                    StoreId = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    MarkedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    MarkedBy = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationStatuses", x => new { x.TenantId, x.StoreId, x.Key });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BenchmarkCohorts");

            migrationBuilder.DropTable(
                name: "BenchmarkProfiles");

            migrationBuilder.DropTable(
                name: "RecommendationStatuses");
        }
    }
}
