using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ReceivedTimes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ReceivedAt",
                table: "Incidents",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "OutcomeReceivedAt",
                table: "Deployments",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "ReceivedAt",
                table: "Deployments",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Rows stored before received times were kept: the times their reports gave, the best there is.
            migrationBuilder.Sql("UPDATE [Deployments] SET [ReceivedAt] = [StartedAt], " +
                "[OutcomeReceivedAt] = COALESCE([FinishedAt], [StartedAt]);");
            migrationBuilder.Sql("UPDATE [Incidents] SET [ReceivedAt] = [DetectedAt];");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReceivedAt",
                table: "Incidents");

            migrationBuilder.DropColumn(
                name: "OutcomeReceivedAt",
                table: "Deployments");

            migrationBuilder.DropColumn(
                name: "ReceivedAt",
                table: "Deployments");
        }
    }
}
