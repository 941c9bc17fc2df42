using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class StableIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PromotionApprovals_RequestId_ApprovedBy",
                table: "PromotionApprovals");

            migrationBuilder.AddColumn<string>(
                name: "RequestedById",
                table: "PromotionRequests",
                type: "TEXT",
                maxLength: 450,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ApproverId",
                table: "PromotionApprovals",
                type: "TEXT",
                maxLength: 450,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ActorId",
                table: "AuditEntries",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            // Requests and approvals made before ids existed: the local account with that email where there is one,
            // else the name as it was recorded (never an empty id, which would make two people one).
            migrationBuilder.Sql(
                "UPDATE \"PromotionRequests\" SET \"RequestedById\" = COALESCE((SELECT \"Id\" FROM \"AspNetUsers\" " +
                "WHERE \"NormalizedEmail\" = UPPER(\"PromotionRequests\".\"RequestedBy\")), 'name/' || \"RequestedBy\");");
            migrationBuilder.Sql(
                "UPDATE \"PromotionApprovals\" SET \"ApproverId\" = COALESCE((SELECT \"Id\" FROM \"AspNetUsers\" " +
                "WHERE \"NormalizedEmail\" = UPPER(\"PromotionApprovals\".\"ApprovedBy\")), 'name/' || \"ApprovedBy\");");

            migrationBuilder.CreateIndex(
                name: "IX_PromotionApprovals_RequestId_ApproverId",
                table: "PromotionApprovals",
                columns: new[] { "RequestId", "ApproverId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PromotionApprovals_RequestId_ApproverId",
                table: "PromotionApprovals");

            migrationBuilder.DropColumn(
                name: "RequestedById",
                table: "PromotionRequests");

            migrationBuilder.DropColumn(
                name: "ApproverId",
                table: "PromotionApprovals");

            migrationBuilder.DropColumn(
                name: "ActorId",
                table: "AuditEntries");

            migrationBuilder.CreateIndex(
                name: "IX_PromotionApprovals_RequestId_ApprovedBy",
                table: "PromotionApprovals",
                columns: new[] { "RequestId", "ApprovedBy" },
                unique: true);
        }
    }
}
