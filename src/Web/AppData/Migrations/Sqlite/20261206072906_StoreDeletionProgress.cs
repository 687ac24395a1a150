using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesDash.Web.AppData.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StoreDeletionProgress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FinishedBy",
                table: "DeletedStores",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseUntil",
                table: "DeletedStores",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StepsDone",
                table: "DeletedStores",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FinishedBy",
                table: "DeletedStores");

            migrationBuilder.DropColumn(
                name: "LeaseUntil",
                table: "DeletedStores");

            migrationBuilder.DropColumn(
                name: "StepsDone",
                table: "DeletedStores");
        }
    }
}
