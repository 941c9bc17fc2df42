using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ApprovalPolicy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RequiredApprovals",
                table: "Environments",
                type: "int",
                nullable: false,
                defaultValue: 1);

            // Existing production environments get the production default of two approvers.
            migrationBuilder.Sql("UPDATE Environments SET RequiredApprovals = 2 WHERE IsProduction = 1");

            migrationBuilder.AddColumn<int>(
                name: "SoakMinutes",
                table: "Environments",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RequiredApprovals",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "SoakMinutes",
                table: "Environments");
        }
    }
}
